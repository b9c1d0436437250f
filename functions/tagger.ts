import { z } from "zod";
import { type TaggingResult, tagInstruments } from "../lib/agents/tagger.js";
import { elapsed, JobId, parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { tracedTask } from "../lib/tracing/job-trace.js";
import { lambdaHandler } from "./lambda.js";

const TaggerEvent = z.object({
  jobId: JobId,
  symbols: z.array(z.string().min(1).max(20)).min(1, "must list at least one symbol"),
});

export type TaggerTaskResult = Omit<TaggingResult, "tagged"> & { tagged: string[]; duration_ms: number };

/** Classifies the job owner's untagged instruments; per-symbol failures are reported, not thrown. */
export const tagger: TaskFunction<TaggerTaskResult> = tracedTask("Tag instruments", async (event, deps) => {
  const start = performance.now();
  const { jobId, symbols } = parseEvent("Tag instruments", TaggerEvent, event);
  const result = await tagInstruments(deps, jobId, symbols);
  return { ...result, tagged: result.tagged.map((t) => t.symbol), duration_ms: elapsed(start) };
});

export const handler = lambdaHandler(tagger);
