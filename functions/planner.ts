import { z } from "zod";
import type { TokenUsage } from "../lib/agents/common.js";
import type { RequiredSpecialist } from "../lib/agents/plan-rules.js";
import { type PlanDecision, planAnalysis, type SpecialistChoice } from "../lib/agents/planner.js";
import { elapsed, JobId, parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { tracedTask } from "../lib/tracing/job-trace.js";
import { lambdaHandler } from "./lambda.js";

const PlannerEvent = z.object({ job_id: JobId });

export interface PlannerTaskResult {
  specialists: SpecialistChoice[];
  required: RequiredSpecialist[];
  count: number;
  decision: PlanDecision;
  usage: TokenUsage;
  duration_ms: number;
}

/** Snapshots the portfolio into the job and returns the specialists the planner chose (the Map's items). */
export const planner: TaskFunction<PlannerTaskResult> = tracedTask("Plan analysis", async (event, deps) => {
  const start = performance.now();
  const { job_id: jobId } = parseEvent("Plan analysis", PlannerEvent, event);
  const plan = await planAnalysis(deps, jobId);
  const { specialists, required, decision, usage } = plan;
  return { specialists, count: specialists.length, required, decision, usage, duration_ms: elapsed(start) };
});

export const handler = lambdaHandler(planner);
