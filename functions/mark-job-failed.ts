import * as z from "zod";
import { failJob } from "../lib/db/repositories/jobs.js";
import { agentLogger } from "../lib/logger.js";
import { jobIdsNamedBy } from "../lib/pipeline/job-message.js";
import { describeStateError, StateError } from "../lib/pipeline/state-error.js";
import { parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { lambdaHandler } from "./lambda.js";

const MarkJobFailedEvent = z.object({ error: StateError, input: z.unknown(), execution_id: z.string().min(1) });

export interface MarkJobFailedResult {
  job_id: string | null;
  marked: boolean;
  reason: string;
  /** Every job the input names and whether it was marked (a rejected batch names several). */
  jobs: { job_id: string; marked: boolean }[];
}

/**
 * Records a caught error on the job — if it is pending, or running for this execution — so no job is
 * left running; a job another execution owns (a duplicate delivery failed) is left alone.
 */
export const markJobFailed: TaskFunction<MarkJobFailedResult> = async (event, { db }) => {
  const { error, input, execution_id } = parseEvent("Mark job failed", MarkJobFailedEvent, event);
  const reason = describeStateError(error);
  const jobs = [];
  for (const jobId of jobIdsNamedBy(input)) {
    const marked = await failJob(db, jobId, reason, execution_id);
    agentLogger("mark-job-failed", jobId).warn("job failed", { reason, marked });
    jobs.push({ job_id: jobId, marked });
  }
  return { job_id: jobs[0]?.job_id ?? null, marked: jobs[0]?.marked ?? false, reason, jobs };
};

export const handler = lambdaHandler(markJobFailed);
