import * as z from "zod";
import { claimJobListingUntagged, type JobClaim } from "../lib/db/repositories/jobs.js";
import { agentLogger } from "../lib/logger.js";
import { jobIdFromInput } from "../lib/pipeline/job-message.js";
import { elapsed, parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { lambdaHandler } from "./lambda.js";

const PrepareJobEvent = z.object({ input: z.unknown(), execution_id: z.string().min(1) });

export interface PrepareJobResult {
  job_id: string;
  claimed: boolean;
  /** How many held instruments lack allocations: the tagger reads which from the database (symbols never travel in the state). */
  untagged: number;
  /** What Refresh prices decides on, read here in the claim's statement. */
  market_prices: JobClaim["market_prices"];
  tagging: null;
  prepare_ms: number;
}

export class JobNotFoundError extends Error {
  override name = "JobNotFoundError";
}

/**
 * Reads the job id from the job starter's [SQS record] or a direct `{jobId}`, claims the job for this execution
 * (pending → running, or still running for this same execution when Step Functions retried this task)
 * counts the held instruments that still lack allocations and reads when market prices were last fetched.
 * Any other job is left alone.
 */
export const prepareJob: TaskFunction<PrepareJobResult> = async (event, { db }) => {
  const start = performance.now();
  const { input, execution_id } = parseEvent("Prepare job", PrepareJobEvent, event);
  const jobId = jobIdFromInput(input);
  const job = await claimJobListingUntagged(db, jobId, execution_id);
  if (!job) throw new JobNotFoundError(`Job ${jobId} not found`);
  const { claimed, untagged, market_prices } = job;
  agentLogger("prepare-job", jobId).info(claimed ? "job claimed" : "job already processed", { status: job.status });
  const result = { job_id: jobId, claimed, untagged, market_prices, tagging: null };
  return { ...result, prepare_ms: elapsed(start) };
};

export const handler = lambdaHandler(prepareJob);
