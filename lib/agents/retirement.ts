import { Agent } from "@openai/agents-core";
import { z } from "zod";
import { actionPlan, storedActions } from "../advice/actions.js";
import type { JobRow } from "../db/repositories/jobs.js";
import { savePayload } from "../db/repositories/jobs.js";
import { neutraliseUserText } from "../format.js";
import { agentLogger } from "../logger.js";
import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import { DEFAULT_SEED } from "../retirement/input.js";
import { projectPortfolioInSlices, type RetirementOutlook } from "../retirement/outlook.js";
import { RETIREMENT_RULES } from "../retirement/rules.js";
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
## Retirement Outlook (success probability and what it means; name every default in defaults_used and assumed)
## Projected Savings (value at retirement: median and the 10th–90th percentile range)
## Income in Retirement (first-year withdrawal, the income sources by the names given)
## What It Takes (what_it_takes: each single lever that reaches target_success — contribution, retirement age, spending)
## Risks (sequence of returns, inflation, longevity, fees, any single stock's concentration)
## Action Plan (the action_plan given, in its order, one numbered item each)
Quote only figures that appear in the outlook, exactly as given. Never quote a spending figure "at the average
return": use what_it_takes. Respect the person (the rules in sentence_rules say when each kind of sentence fits):
- no contribution or "save more" advice unless situation is "saving" with years_to_retirement above 0;
- below 50% success do not suggest spending less in bad years: only a lasting change helps;
- compare with the "4% rule" only when retirement_years is within 5 of 30;
- when income starts after retirement (withdrawal_rate_after_income is set), the first years are a bridge: give both
  rates, and judge the lifetime one;
- name income sources as given in income_sources ("Social Security", "a pension"), never a plural that was not given;
- never say "nothing is saved" when unpriced lists holdings, and never quote a share or value that is 0.
Someone already retired has no contributions or years to save, a target of 0 has nothing to test, and income that
covers the target needs no withdrawals.
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
    sentence_rules: sentenceRules(outlook),
    assumptions: projection.assumptions.market,
    milestones: milestones(projection.projections, outlook.retirement_age),
  };
}

/** Which kinds of sentence fit this person, and why (the same predicates the offline outlook follows). */
function sentenceRules(outlook: RetirementOutlook) {
  return Object.fromEntries(
    Object.entries(RETIREMENT_RULES).map(([name, rule]) => [
      name,
      { fits: rule.applies(outlook), reason: rule.reason },
    ]),
  );
}

function milestones(rows: ProjectionRow[], retirementAge: number): ProjectionRow[] {
  return rows.filter((r, i) => i % 5 === 0 || r.age === retirementAge || i === rows.length - 1);
}

export function retirementPrompt(outlook: RetirementOutlook, projection: Projection, plan: string[] = []): string {
  return `Write the retirement outlook from this computed outlook.\n\n${dataBlock("retirement_outlook", retirementBrief(outlook, projection))}\n\n${dataBlock("action_plan", plan)}`;
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
  // The ranked plan Finalize stores and the report lists (lib/advice), so the three never disagree.
  const plan = actionPlan(portfolio, valuation, outlook);
  const result = await runAgent(
    deps,
    retirementAgent,
    retirementPrompt(
      outlook,
      projection,
      plan.map((a) => a.text),
    ),
    {
      name: "retirement",
      jobId,
      offlinePolicy: retirementPolicy(outlook, monteCarlo.assumptions.market, monteCarlo.assumptions.weights, plan),
      maxTurns: 2,
    },
  );
  // User text (the display name, symbols) stays inert: no live links, headings or HTML in the outlook.
  const analysis = neutraliseUserText(String(result.finalOutput ?? "").trim(), userStrings(portfolio));
  if (analysis.length === 0) throw new Error("The retirement agent returned an empty analysis");
  const payload = {
    analysis,
    // The action plan its Action Plan lists; Finalize copies it into summary_payload.actions.
    actions: storedActions(plan),
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
