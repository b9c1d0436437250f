import { type FinalizeResult, finalize, finalizeEventFor } from "../lib/pipeline/finalize.js";
import { assertNotSstDevStub } from "../lib/pipeline/sst-dev.js";
import { parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { lambdaHandler } from "./lambda.js";

/** Finalize job: refuses an `sst dev` stub's answer, parses the event and finalizes the job. */
export const finalizeJob: TaskFunction<FinalizeResult> = async (event, deps) => {
  assertNotSstDevStub((event as { tagging?: unknown } | null)?.tagging, "The tagging result");
  return finalize(deps, parseEvent("Finalize job", finalizeEventFor(deps.team), event));
};

export const handler = lambdaHandler(finalizeJob);
