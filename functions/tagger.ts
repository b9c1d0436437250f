import { z } from "zod";
import { type TaggingResult, tagInstruments } from "../lib/agents/tagger.js";
import { elapsed, JobId, parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { tracedTask } from "../lib/tracing/job-trace.js";
import { lambdaHandler } from "./lambda.js";

const TaggerEvent = z.object({
  job_id: JobId,
  /** How many holdings Prepare job found untagged (which ones, the tagger reads from the database). */
  requested: z.number().int().min(1, "must be at least 1 (Prepare job found holdings to tag)"),
});

/** Counts only: the symbols are recorded in the job's summary, never in the state. */
export interface TaggerTaskResult {
  requested: number;
  tagged: number;
  failed: number;
  usage: TaggingResult["usage"];
  duration_ms: number;
}

/**
 * Classifies the job owner's untagged instruments; per-symbol failures are reported, not thrown. The symbols
 * are recorded in the job's summary; the state carries only counts.
 */
export const tagger: TaskFunction<TaggerTaskResult> = tracedTask("Tag instruments", async (event, deps) => {
  const start = performance.now();
  const { job_id: jobId, requested } = parseEvent("Tag instruments", TaggerEvent, event);
  const { tagged, failed, usage } = await tagInstruments(deps, jobId, requested);
  return { requested, tagged: tagged.length, failed: failed.length, usage, duration_ms: elapsed(start) };
});

export const handler = lambdaHandler(tagger);
