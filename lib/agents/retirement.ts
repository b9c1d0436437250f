import { Agent } from "@openai/agents";
import { z } from "zod";
import { savePayload } from "../db/repositories/jobs.js";
import { pct, usdRounded as usd } from "../format.js";
import { agentLogger } from "../logger.js";
import type { OfflinePolicy } from "../models/offline.js";
import type { Portfolio } from "../portfolio/types.js";
import { valuePortfolio } from "../portfolio/valuation.js";
import {
  DEFAULT_SEED,
  type ProjectionRow,
  type RetirementOutlook,
  retirementInputsFromValuation,
  simulateRetirement,
} from "../retirement/monte-carlo.js";
import { type AgentDeps, DATA_NOTICE, dataBlock, payloadMeta, requireSnapshot, runAgent, type TokenUsage, usageOf } from "./common.js";
import { hasRetirementGoals } from "./portfolio-brief.js";

export const RETIREMENT_INSTRUCTIONS = `You are a retirement planning specialist. The Monte Carlo simulation has already been run;
its results are given to you. Write a markdown retirement outlook for a retail investor with these sections:
## Retirement Outlook (success probability and what it means)
## Projected Savings (value at retirement: median and the 10th–90th percentile range)
## Income in Retirement (safe withdrawal estimate against the target income)
## Gap Analysis (what closes any gap: savings rate, retirement age, allocation)
## Risks (sequence of returns, inflation, longevity, healthcare)
## Action Plan (dated steps)
Use the numbers given, state the assumptions, and be conservative. Answer with the markdown only.
${DATA_NOTICE}`;

const retirementAgent = new Agent({ name: "Retirement", instructions: RETIREMENT_INSTRUCTIONS });

/** Options a job may carry in `request_payload.options` (e.g. `alex analyze --seed N`). */
const JobRequest = z.looseObject({
  options: z.looseObject({ seed: z.number().int().min(0).max(0xffff_ffff).optional() }).optional(),
});

/** The figures the agent writes from: headline numbers plus milestone rows (every 5 years and retirement). */
export function retirementBrief(portfolio: Portfolio, outlook: RetirementOutlook) {
  const { assumptions: a } = outlook;
  return {
    investor: { name: portfolio.user.display_name, goals_set: hasRetirementGoals(portfolio) },
    current_value: a.current_value,
    current_age: a.current_age,
    retirement_age: a.retirement_age,
    horizon_age: a.horizon_age,
    target_income_today: a.target_income,
    annual_contribution: a.annual_contribution,
    inflation: a.inflation,
    portfolio_return: a.portfolio_return,
    paths: a.paths,
    success_rate_pct: outlook.success_rate,
    value_at_retirement: outlook.value_at_retirement,
    safe_withdrawal: outlook.safe_withdrawal,
    sustainable_income_today: outlook.sustainable_income_today,
    depletion_age: outlook.depletion_age,
    milestones: milestones(outlook.projections, a.retirement_age),
  };
}

function milestones(rows: ProjectionRow[], retirementAge: number): ProjectionRow[] {
  return rows.filter((r, i) => i % 5 === 0 || r.age === retirementAge || i === rows.length - 1);
}

export function retirementPrompt(portfolio: Portfolio, outlook: RetirementOutlook): string {
  return `Write the retirement outlook from these simulation results.\n\n${dataBlock("retirement_projection", retirementBrief(portfolio, outlook))}`;
}

/** The offline analyst writes the outlook from the simulation's numbers. */
export function retirementPolicy(portfolio: Portfolio, outlook: RetirementOutlook): OfflinePolicy {
  return () => ({ final: offlineOutlook(portfolio, outlook) });
}

export interface RetirementResult {
  success_rate: number;
  usage: TokenUsage;
}

/** Simulates the job's portfolio (from its snapshot), has the agent explain it, stores both. */
export async function projectRetirement(deps: AgentDeps, jobId: string): Promise<RetirementResult> {
  const { job, portfolio } = await requireSnapshot(deps.db, jobId);
  const seed = JobRequest.safeParse(job.request_payload ?? {}).data?.options?.seed ?? DEFAULT_SEED;
  const outlook = simulateRetirement(retirementInputsFromValuation(valuePortfolio(portfolio), portfolio.user, { seed }));
  const result = await runAgent(deps, retirementAgent, retirementPrompt(portfolio, outlook), {
    name: "retirement",
    jobId,
    offlinePolicy: retirementPolicy(portfolio, outlook),
    maxTurns: 2,
  });
  const analysis = String(result.finalOutput ?? "").trim();
  if (analysis.length === 0) throw new Error("The retirement agent returned an empty analysis");
  const { projections, ...monteCarlo } = outlook;
  await savePayload(deps.db, jobId, "retirement_payload", {
    analysis,
    ...payloadMeta("retirement", deps.config),
    monte_carlo: monteCarlo,
    projections,
  });
  agentLogger("retirement", jobId).info("retirement outlook stored", { success_rate: outlook.success_rate });
  return { success_rate: outlook.success_rate, usage: usageOf(result) };
}

function offlineOutlook(portfolio: Portfolio, o: RetirementOutlook): string {
  const a = o.assumptions;
  const years = a.retirement_age - a.current_age;
  const atRetirement = o.value_at_retirement;
  const firstWithdrawal = o.projections.find((r) => r.phase === "retirement")?.withdrawal ?? 0;
  const verdict = o.success_rate >= 85 ? "on track" : o.success_rate >= 60 ? "close, with work to do" : "not on track yet";
  const gap = o.sustainable_income_today === null ? null : a.target_income - o.sustainable_income_today;
  const depletion = o.depletion_age.p50 === null ? "fewer than half of the paths run out of money before the horizon" : `half of the paths run out of money by age ${o.depletion_age.p50}`;
  return [
    `# Retirement Outlook for ${portfolio.user.display_name ?? "the investor"}`,
    "_Written by the offline analyst from the Monte Carlo results below._",
    ...(hasRetirementGoals(portfolio) ? [] : ["> No retirement goals are set: this outlook uses defaults (see assumptions)."]),
    "## Retirement Outlook",
    `Across ${a.paths.toLocaleString("en-US")} simulated markets, **${pct(o.success_rate)}** of paths pay ${usd(a.target_income)} a year (in today's dollars, rising with ${pct(a.inflation * 100)} inflation) from age ${a.retirement_age} to ${a.horizon_age}: ${verdict}.`,
    "## Projected Savings",
    `Starting from ${usd(a.current_value)} and adding ${usd(a.annual_contribution)} a year for ${years} years, the median value at ${a.retirement_age} is **${usd(atRetirement.p50)}** (10th–90th percentile ${usd(atRetirement.p10)} – ${usd(atRetirement.p90)}; ${usd(atRetirement.expected)} at the average return of ${pct(a.portfolio_return.mean * 100)}).`,
    "## Income in Retirement",
    `The ${o.safe_withdrawal.rule} on the median gives ${usd(o.safe_withdrawal.nominal)} a year at retirement, ${usd(o.safe_withdrawal.today)} in today's dollars, against a first-year withdrawal of ${usd(firstWithdrawal)} (${usd(a.target_income)} today).`,
    "## Gap Analysis",
    gap === null
      ? "There are no retirement years to fund within the horizon."
      : gap > 0
        ? `At average returns the portfolio sustains about ${usd(o.sustainable_income_today!)} a year in today's dollars, ${usd(gap)} short of the target. Raising contributions, retiring later or trimming the target closes it; ${depletion}.`
        : `At average returns the portfolio sustains about ${usd(o.sustainable_income_today!)} a year in today's dollars, ${usd(-gap)} above the target; ${depletion}.`,
    "## Risks",
    [
      `- Sequence of returns: the portfolio's volatility is ${pct(a.portfolio_return.volatility * 100)} a year; a bad first decade of retirement hurts most.`,
      `- Inflation: withdrawals grow ${pct(a.inflation * 100)} a year in the model; higher inflation shortens the money's life.`,
      `- Longevity: the plan runs to age ${a.horizon_age}; living longer needs a reserve.`,
      "- Healthcare costs tend to rise faster than general inflation.",
    ].join("\n"),
    "## Action Plan",
    [
      `1. This year: confirm the ${usd(a.annual_contribution)} yearly contribution and automate it.`,
      "2. Every year: rebalance to the target mix and raise contributions with income.",
      `3. Ten years before ${a.retirement_age}: shift gradually toward bonds to cut sequence risk.`,
      "4. At retirement: start withdrawals near the safe rate and review them yearly.",
    ].join("\n"),
    "## Assumptions",
    `Returns per asset class (mean, σ): ${Object.entries(a.returns).map(([k, r]) => `${k} ${pct(r.mean * 100)}/${pct(r.volatility * 100)}`).join(", ")}. Seed ${a.seed}.`,
  ].join("\n\n");
}
