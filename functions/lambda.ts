import type { Context } from "aws-lambda";
import type { AgentDeps } from "../lib/agents/common.js";
import { logger } from "../lib/logger.js";
import type { TaskFunction } from "../lib/pipeline/task.js";
import { linkedConfig, openLinkedDb } from "./links.js";

let deps: Promise<AgentDeps> | undefined;

/**
 * Dependencies of a Lambda container, built once: config from the environment plus what the SST links
 * carry (Resource.Database, Resource.KnowledgeBase), Aurora through the Data API, and the knowledge base
 * for the function that is linked to it (the reporter), imported only there.
 */
async function lambdaDeps(): Promise<AgentDeps> {
  const config = linkedConfig();
  const db = openLinkedDb();
  const knowledge = config.knowledge.vectorBucket
    ? await (await import("../lib/knowledge/knowledge-base.js")).createKnowledgeBase(config)
    : undefined;
  return { db, config, knowledge };
}

/**
 * Wraps a task for Lambda: the event in, a small JSON result out; errors propagate so Step Functions
 * sees them. Every log line of the invocation carries the execution id and the Lambda request id.
 */
export function lambdaHandler<Result>(task: TaskFunction<Result>) {
  return async (event: unknown, context?: Context): Promise<Result> => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    const executionId = (event as { execution_id?: unknown } | null)?.execution_id;
    if (typeof executionId === "string") logger.appendKeys({ executionId });
    deps ??= lambdaDeps().catch((error: unknown) => {
      deps = undefined;
      throw error;
    });
    return task(event, await deps);
  };
}
