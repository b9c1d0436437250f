import { z } from "zod";
import type { AgentDeps, TokenUsage } from "../lib/agents/common.js";
import { elapsed, JobId, parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { tracedTask } from "../lib/tracing/job-trace.js";

export interface SpecialistResult<Name extends string = string> {
  agent: Name;
  status: "succeeded";
  duration_ms: number;
  usage: TokenUsage;
}

/** One Map item's task (`state`, the specialist's row in `lib/roster.ts`): run it on the job's snapshot, say how it went. */
export function specialistTask<Name extends string>(
  agent: Name,
  state: string,
  work: (deps: AgentDeps, jobId: string) => Promise<{ usage: TokenUsage }>,
): TaskFunction<SpecialistResult<Name>> {
  const Event = z.object({ job_id: JobId, agent: z.literal(agent).optional() });
  return tracedTask(state, async (event, deps) => {
    const start = performance.now();
    const { job_id: jobId } = parseEvent(state, Event, event);
    const { usage } = await work(deps, jobId);
    return { agent, status: "succeeded", duration_ms: elapsed(start), usage };
  });
}
