import type { AgentDeps } from "../lib/agents/common.js";
import { loadConfig } from "../lib/config.js";
import { DataApiDb } from "../lib/db/data-api.js";
import { createKnowledgeBase } from "../lib/knowledge/knowledge-base.js";
import type { TaskFunction } from "./task.js";

let deps: Promise<AgentDeps> | undefined;

/**
 * Dependencies of a Lambda container, built once: config from the environment plus the linked
 * resources SST provides (Resource.Database …), the Data API database, and the knowledge base.
 */
async function lambdaDeps(): Promise<AgentDeps> {
  const { Resource } = await import("sst");
  const linked = Resource as unknown as Record<string, Record<string, string> | undefined>;
  const database = linked.Database;
  const config = loadConfig({
    ...process.env,
    ALEX_DB: "data-api",
    AURORA_CLUSTER_ARN: database?.clusterArn,
    AURORA_SECRET_ARN: database?.secretArn,
    AURORA_DATABASE: database?.database ?? process.env.AURORA_DATABASE,
  });
  const db = new DataApiDb({
    resourceArn: config.db.clusterArn!,
    secretArn: config.db.secretArn!,
    database: config.db.database,
    region: config.awsRegion,
  });
  const needsKnowledge = config.knowledge.store === "s3vectors";
  return { db, config, knowledge: needsKnowledge ? await createKnowledgeBase(config) : undefined };
}

/** Wraps a task for Lambda: the event in, a small JSON result out; errors propagate so Step Functions sees them. */
export function lambdaHandler<Result>(task: TaskFunction<Result>) {
  return async (event: unknown): Promise<Result> => {
    deps ??= lambdaDeps().catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    return task(event, await deps);
  };
}
