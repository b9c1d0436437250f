import { z } from "zod";
import { failJob } from "../lib/db/repositories/jobs.js";
import { agentLogger } from "../lib/logger.js";
import { jobIdFromInput } from "../lib/pipeline/job-message.js";
import { describeStateError, StateError } from "../lib/pipeline/state-error.js";
import { lambdaHandler } from "./lambda.js";
import { parseEvent, type TaskFunction } from "../lib/pipeline/task.js";

const MarkJobFailedEvent = z.object({ error: StateError, input: z.unknown(), executionId: z.string().min(1) });

export interface MarkJobFailedResult {
  jobId: string | null;
  marked: boolean;
  reason: string;
}

/**
 * Records a caught error on the job — if it is pending, or running for this execution — so no job is
 * left running; a job another execution owns (a duplicate delivery failed) is left alone.
 */
export const markJobFailed: TaskFunction<MarkJobFailedResult> = async (event, { db }) => {
  const { error, input, executionId } = parseEvent("Mark job failed", MarkJobFailedEvent, event);
  const reason = describeStateError(error);
  let jobId: string;
  try {
    jobId = jobIdFromInput(input);
  } catch {
    return { jobId: null, marked: false, reason };
  }
  const marked = await failJob(db, jobId, reason, executionId);
  agentLogger("mark-job-failed", jobId).warn("job failed", { reason, marked });
  return { jobId, marked, reason };
};

export const handler = lambdaHandler(markJobFailed);
