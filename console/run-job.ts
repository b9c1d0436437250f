import type { AgentDeps } from "../lib/agents/common.js";
import type { Config } from "../lib/config.js";
import type { Db } from "../lib/db/driver.js";
import { saveExecutionTrace } from "../lib/db/repositories/execution-trace.js";
import { createKnowledgeBase } from "../lib/knowledge/knowledge-base.js";
import { ownJob, pauseAtFaultPoint } from "../lib/pipeline/local-jobs.js";
import { STATE } from "../lib/pipeline/states.js";
import { buildDefinition } from "../state-machine/definition.js";
import { type ExecutionEvent, executeLocally, LOCAL_ARNS } from "../state-machine/local-executor.js";

/** The local state machine's definition, as the page draws it. */
export const localDefinition = () => buildDefinition(LOCAL_ARNS);

/** The fault tests' windows after the claim (the job running) and after the first write (its snapshot). */
const FAULT_POINTS_AFTER: Record<string, string> = { [STATE.prepareJob]: "claim", [STATE.planAnalysis]: "write" };

/** Runs one job through the state machine locally and saves its state events with the job. */
export async function runJobLocally(db: Db, config: Config, jobId: string, onEvent?: (event: ExecutionEvent) => void) {
  await ownJob(db, jobId);
  pauseAtFaultPoint("own");
  const deps: AgentDeps = { db, config, knowledge: await createKnowledgeBase(config) };
  const execution = await executeLocally(
    { job_id: jobId },
    {
      deps,
      onEvent: (event) => {
        onEvent?.(event);
        if (event.type === "StateExited" && event.state) pauseAtFaultPoint(FAULT_POINTS_AFTER[event.state] ?? "");
      },
    },
  );
  await saveExecutionTrace(db, jobId, execution.events);
  return execution;
}
