import { Agent } from "@openai/agents-core";
import { z } from "zod";
import type { JobRow } from "../db/repositories/jobs.js";
import { savePayload } from "../db/repositories/jobs.js";
import { neutraliseUserText } from "../format.js";
import { agentLogger } from "../logger.js";
import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import { DEFAULT_SEED } from "../retirement/input.js";
import { projectPortfolioInSlices, type RetirementOutlook } from "../retirement/outlook.js";
import type { Projection, ProjectionRow } from "../retirement/simulation.js";
import { writeWithTaskSpans } from "../tracing/job-trace.js";
import {
  type AgentDeps,
  DATA_NOTICE,
  dataBlock,
  payloadMeta,
  requireSnapshot,
  runAgent,
  type TokenUsage,
  usageOf,
} from "./common.js";
import { retirementPolicy } from "./offline/retirement.js";
import { userStrings } from "./portfolio-brief.js";

export const RETIREMENT_INSTRUCTIONS = `You are a retirement planning specialist. The Monte Carlo simulation has already been run and
its outlook computed; both are given to you. All amounts are in today's dollars (after inflation); say so.
Write a markdown retirement outlook for a retail investor with these sections:
## Retirement Outlook (success probability and what it means)
## Projected Savings (value at retirement: median and the 10th–90th percentile range)
## Income in Retirement (first-year withdrawal, Social Security and pensions, sustainable spending)
## Gap Analysis (what closes any gap: savings rate, retirement age, spending)
## Risks (sequence of returns, inflation, longevity, fees)
## Action Plan (dated steps)
Quote only figures that appear in the outlook, exactly as given. Respect its situation: someone already retired has no
contributions or years to save, a target of 0 has nothing to test, and income that covers the target needs no withdrawals.
Answer with the markdown only.
${DATA_NOTICE}`;

/** Declared once; the model comes through the Runner. */
export const retirementAgent = new Agent({ name: "Retirement", instructions: RETIREMENT_INSTRUCTIONS });

/** Options a job may carry in `request_payload.options` (e.g. `alex analyze --seed N`). */
const JobRequest = z.looseObject({
  options: z.looseObject({ seed: z.number().int().min(0).max(0xffff_ffff).optional() }).optional(),
});

/** The Monte Carlo seed of a job: its `--seed` option, else the default (the reporter and this agent agree). */
export const jobSeed = (requestPayload: unknown): number =>
  JobRequest.safeParse(requestPayload ?? {}).data?.options?.seed ?? DEFAULT_SEED;

type JobProjection = Awaited<ReturnType<typeof projectPortfolioInSlices>>;

/** Simulations one specialist started that the other has not taken yet, by job and seed (a few at most). */
const sharedProjections = new Map<string, Promise<JobProjection>>();
const MAX_SHARED = 16;

/**
 * The job's seeded Monte Carlo projection. The reporter and this specialist quote the same outlook; when both run
 * in one process (locally), the second takes the simulation the first started instead of running it again.
 */
export function jobProjection(
  job: Pick<JobRow, "id" | "request_payload">,
  portfolio: Portfolio,
  valuation: Valuation,
): Promise<JobProjection> {
  const seed = jobSeed(job.request_payload);
  const key = `${job.id}:${seed}`;
  const started = sharedProjections.get(key);
  if (started) {
    sharedProjections.delete(key);
    return started;
  }
  const projection = projectPortfolioInSlices(portfolio, valuation, { seed });
  if (sharedProjections.size >= MAX_SHARED) sharedProjections.delete(sharedProjections.keys().next().value as string);
  sharedProjections.set(key, projection);
  projection.catch(() => sharedProjections.delete(key));
  return projection;
}

/** What the model reads: the computed outlook, plus milestone rows (every 5 years and retirement). */
export function retirementBrief(outlook: RetirementOutlook, projection: Projection) {
  return {
    outlook,
    assumptions: projection.assumptions.market,
    milestones: milestones(projection.projections, outlook.retirement_age),
  };
}

function milestones(rows: ProjectionRow[], retirementAge: number): ProjectionRow[] {
  return rows.filter((r, i) => i % 5 === 0 || r.age === retirementAge || i === rows.length - 1);
}

export function retirementPrompt(outlook: RetirementOutlook, projection: Projection): string {
  return `Write the retirement outlook from this computed outlook.\n\n${dataBlock("retirement_outlook", retirementBrief(outlook, projection))}`;
}

export interface RetirementResult {
  success_rate: number;
  usage: TokenUsage;
}

/** Simulates the job's portfolio (from its snapshot), has the agent explain it, stores both. */
export async function projectRetirement(deps: AgentDeps, jobId: string): Promise<RetirementResult> {
  const { job, portfolio, valuation } = await requireSnapshot(deps.db, jobId);
  const { outlook, projection } = await jobProjection(job, portfolio, valuation);
  const { projections, ...monteCarlo } = projection;
  const result = await runAgent(deps, retirementAgent, retirementPrompt(outlook, projection), {
    name: "retirement",
    jobId,
    offlinePolicy: retirementPolicy(outlook, monteCarlo.assumptions.market, monteCarlo.assumptions.weights),
    maxTurns: 2,
  });
  // User text (the display name, symbols) stays inert: no live links, headings or HTML in the outlook.
  const analysis = neutraliseUserText(String(result.finalOutput ?? "").trim(), userStrings(portfolio));
  if (analysis.length === 0) throw new Error("The retirement agent returned an empty analysis");
  const payload = {
    analysis,
    ...payloadMeta("retirement", deps.config),
    units: outlook.units,
    outlook,
    monte_carlo: monteCarlo,
    projections,
  };
  await writeWithTaskSpans(payload, (spans) => savePayload(deps.db, jobId, "retirement_payload", payload, spans));
  agentLogger("retirement", jobId).info("retirement outlook stored", { success_rate: outlook.success_rate });
  return { success_rate: outlook.success_rate, usage: usageOf(result) };
}
