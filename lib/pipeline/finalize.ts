import * as z from "zod";
import type { AgentDeps } from "../agents/common.js";
import { describeMissing, missingSpecialists, planDecisionOf } from "../agents/plan-rules.js";
import { addUsage, NO_USAGE, TokenUsage } from "../agents/shared.js";
import { specialistNames, TEAM, type Team } from "../agents/specialists.js";
import { modelName } from "../config.js";
import { type JobOutputs, readJobOutputs } from "../db/repositories/job-outputs.js";
import { finishJob, JobNotRunningError } from "../db/repositories/jobs.js";
import { agentLogger } from "../logger.js";
import { readPriceRefresh } from "../market/price-notes.js";
import { type PortfolioAggregate, PortfolioAggregateSchema } from "../portfolio/aggregate.js";
import { jobCost } from "../tracing/cost.js";
import { type GateResult, qualityGate } from "./quality-gate.js";
import { isSstDevStubResult } from "./sst-dev.js";
import { describeStateError, StateError } from "./state-error.js";
import { STATE } from "./states.js";
import { JobId } from "./task.js";

/** A Map item's result: a specialist of the team that succeeded, or its recorded failure. */
const resultsOf = (names: readonly string[]) => ({
  Succeeded: z.object({
    agent: z.enum(names),
    status: z.literal("succeeded"),
    duration_ms: z.number(),
    usage: TokenUsage,
  }),
  Failed: z.object({ agent: z.enum(names), status: z.literal("failed"), error: StateError }),
});

/** What the Finalize job state passes in (see `state-machine/definition.ts`), naming the given specialists. */
const finalizeEventOf = (names: readonly string[]) =>
  z.object({
    job_id: JobId,
    execution_id: z.string().min(1),
    plan: z.object({
      specialists: z.array(z.object({ agent: z.enum(names), reason: z.string() })),
      required: z.array(z.object({ agent: z.enum(names), rule: z.string() })),
      decision: planDecisionOf(names).optional(),
      usage: TokenUsage,
      duration_ms: z.number(),
    }),
    results: z.array(z.unknown()),
    tagging: z
      .object({
        requested: z.number(),
        tagged: z.number(),
        failed: z.number(),
        usage: TokenUsage,
        duration_ms: z.number(),
      })
      .nullable(),
    prices: z.unknown().optional(),
    prepare_ms: z.number(),
    started_at: z.string(),
  });
export type FinalizeEvent = z.infer<ReturnType<typeof finalizeEventOf>>;

/** The Finalize job event's schema for a team's specialists (the registry's unless a test adds one). */
export const finalizeEventFor = (team: Team = TEAM) => finalizeEventOf(specialistNames(team));

type Outcome = { status: "succeeded"; duration_ms: number; usage: TokenUsage } | { status: "failed"; error: string };

/**
 * Reads one Map item's result. Anything that is neither a success nor a recorded failure — such as the
 * success-shaped `{statusCode, body}` a Lambda answers while `sst dev` is not running — is a failure.
 */
export function readOutcome(item: unknown, team: Team = TEAM): { agent?: string; outcome: Outcome } {
  const { Succeeded, Failed } = resultsOf(specialistNames(team));
  const ok = Succeeded.safeParse(item);
  if (ok.success)
    return {
      agent: ok.data.agent,
      outcome: { status: "succeeded", duration_ms: ok.data.duration_ms, usage: ok.data.usage },
    };
  const failed = Failed.safeParse(item);
  if (failed.success)
    return { agent: failed.data.agent, outcome: { status: "failed", error: describeStateError(failed.data.error) } };
  const agent = (item as { agent?: unknown } | null)?.agent;
  const error = isSstDevStubResult(item)
    ? `the function answered from an "sst dev" stub: ${item.body}`
    : `unexpected task result ${JSON.stringify(item).slice(0, 200)}`;
  return { agent: typeof agent === "string" ? agent : undefined, outcome: { status: "failed", error } };
}

export interface FinalizeResult {
  status: "completed" | "failed" | "needs_review";
  reason?: string;
}

/**
 * Completes summary_payload (Plan analysis stored what it says of the snapshot) and ends the job in one
 * statement: failed if every chosen specialist failed (or none produced output); otherwise the quality
 * gate (./quality-gate.ts) reads the stored outputs and decides completed or needs_review, with reasons.
 * Reads the snapshot only when no specialist stored the action plan.
 */
export async function finalize(
  deps: Pick<AgentDeps, "db" | "config" | "team">,
  input: FinalizeEvent,
): Promise<FinalizeResult> {
  const team = deps.team ?? TEAM;
  const results = resultsByAgent(input, team);
  const failures = Object.entries(results).filter(([, r]) => r.status === "failed");
  const allFailed = input.plan.specialists.length > 0 && failures.length === Object.keys(results).length;
  const missing = missingSpecialists(input.plan.required, results);
  const noOutput = missing.length > 0 && !Object.values(results).some((r) => r.status === "succeeded");
  const reason = allFailed
    ? `Every chosen specialist failed: ${failures.map(([a, r]) => `${a}: ${"error" in r ? r.error : ""}`).join("; ")}`
    : noOutput
      ? `No specialist output for a non-empty portfolio: ${describeMissing(missing)}`
      : undefined;
  const outputs = await readJobOutputs(deps.db, input.job_id);
  const gate = reason ? undefined : gateOutputs(deps, input, results, outputs);
  const usage = countedUsage(outputs?.usage ?? [], totalUsage(input, results));
  const summary = {
    chosen: input.plan.specialists,
    plan: input.plan.decision ?? null,
    missing,
    results: Object.fromEntries(
      Object.entries(results).map(([agent, r]) => [
        agent,
        r.status === "succeeded" ? { status: r.status, duration_ms: r.duration_ms } : r,
      ]),
    ),
    // The tagger recorded its symbols (tagged, failed) in the summary itself; only "no tagging" is said here.
    ...(input.tagging ? {} : { tagging: null }),
    prices: { refresh: readPriceRefresh(input.prices, describeStateError) },
    // The ranked action plan (lib/advice): the one a specialist stored with its payload (finishJob reads it in its
    // statement), computed here from the snapshot only when neither the reporter nor the retirement specialist ran.
    // Imported only then: it brings the retirement agent's module, which Finalize's bundle otherwise leaves out.
    ...(storedPlan(results)
      ? {}
      : { actions: await (await import("../agents/action-plan.js")).jobActions(deps.db, input.job_id) }),
    model: modelName(deps.config),
    usage,
    cost: jobCost(modelName(deps.config), usage),
    timings: timings(input, results, team),
    ...(gate ? { quality_gate: gate } : {}),
    completed_at: new Date().toISOString(),
  };
  const review = gate && !gate.passed ? `Needs review: ${gate.reasons.join("; ")}` : undefined;
  const ended = await finishJob(deps.db, input.job_id, summary, {
    reason: reason ?? review,
    needsReview: review !== undefined,
    claimant: input.execution_id,
  });
  if (!ended) throw new JobNotRunningError(`Job ${input.job_id} stopped running before it could be finalized`);
  const result: FinalizeResult = reason
    ? { status: "failed", reason }
    : review
      ? { status: "needs_review", reason: review }
      : { status: "completed" };
  agentLogger("finalize-job", input.job_id).info("job finalized", { status: result.status });
  return result;
}

/** The quality gate over the job's stored outputs; a specialist that failed is a reason of its own. */
function gateOutputs(
  deps: Pick<AgentDeps, "config">,
  input: FinalizeEvent,
  results: Record<string, Outcome>,
  job: JobOutputs | undefined,
): GateResult {
  const failed = Object.entries(results).flatMap(([agent, r]) =>
    r.status === "failed" ? [`${agent}: failed (${r.error.slice(0, 200)})`] : [],
  );
  const gate = qualityGate({
    chosen: input.plan.specialists.map((s) => s.agent).filter((agent) => results[agent]?.status === "succeeded"),
    portfolio: storedAggregate(job?.portfolio_aggregate),
    report: job?.report,
    charts: job?.charts,
    retirement: job?.retirement,
    tagging: job?.tagging ?? null,
    reviewThreshold: deps.config.reviewThreshold,
  });
  const reasons = [...failed, ...gate.reasons];
  return { passed: reasons.length === 0, reasons };
}

/** The stored aggregate the reporter wrote from, validated (null when absent or not an aggregate). */
function storedAggregate(value: unknown): PortfolioAggregate | null {
  const parsed = PortfolioAggregateSchema.safeParse(value);
  return parsed.success ? (parsed.data as PortfolioAggregate) : null;
}

/** Whether a specialist that stores the action plan with its payload succeeded. */
const storedPlan = (results: Record<string, Outcome>) =>
  results.retirement?.status === "succeeded" || results.reporter?.status === "succeeded";

function resultsByAgent(input: FinalizeEvent, team: Team): Record<string, Outcome> {
  const results: Record<string, Outcome> = {};
  input.results.forEach((item, i) => {
    const { agent, outcome } = readOutcome(item, team);
    results[agent ?? input.plan.specialists[i]?.agent ?? `item_${i}`] = outcome;
  });
  return results;
}

/**
 * Every model request of the job: counted from its stored generation spans (each attempt is one — failed
 * and retried calls, reminder turns, earlier attempts of a retried task), with what the tasks reported
 * kept alongside. A model that writes no spans (tests' scripted models) leaves the tasks' own count.
 */
function countedUsage(byModel: JobOutputs["usage"], reported: TokenUsage) {
  const traced = byModel.reduce(
    (sum, m) => addUsage(sum, { requests: m.requests, input_tokens: m.input_tokens, output_tokens: m.output_tokens }),
    NO_USAGE,
  );
  const failed = byModel.reduce((n, m) => n + m.failed, 0);
  if (traced.requests < reported.requests) return { ...reported, counted_from: "tasks" as const, reported };
  return { ...traced, failed_requests: failed, counted_from: "traces" as const, reported };
}

function totalUsage(input: FinalizeEvent, results: Record<string, Outcome>): TokenUsage {
  const specialists = Object.values(results).map((r) => (r.status === "succeeded" ? r.usage : NO_USAGE));
  return [input.plan.usage, input.tagging?.usage ?? NO_USAGE, ...specialists].reduce(addUsage, NO_USAGE);
}

function timings(input: FinalizeEvent, results: Record<string, Outcome>, team: Team) {
  const byState: Record<string, number> = { [STATE.prepareJob]: input.prepare_ms };
  if (input.tagging) byState[STATE.tagInstruments] = input.tagging.duration_ms;
  byState[STATE.planAnalysis] = input.plan.duration_ms;
  for (const [agent, r] of Object.entries(results)) {
    if (r.status === "succeeded") byState[team.roster[agent]?.state ?? agent] = r.duration_ms;
  }
  return { total_ms: Math.max(0, Date.now() - Date.parse(input.started_at)), by_state: byState };
}
