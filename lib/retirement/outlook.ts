import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import {
  type AssumedDefault,
  type Concentration,
  HORIZON_AGE,
  type InputNotes,
  parseRetirementInput,
  type RetirementInputDraft,
  retirementInputFromPortfolio,
} from "./input.js";
import { type Projection, runInSlices, simulateRetirement, simulateRetirementInSlices } from "./simulation.js";
import { DEFAULT_TARGET_SUCCESS, solveWhatItTakes, type WhatItTakes, whatItTakes } from "./what-it-takes.js";

export type { WhatItTakes } from "./what-it-takes.js";

/** Default success rate at or above which a plan is "on track" (the plan may set its own), and the floor of "close". */
export const ON_TRACK_RATE = DEFAULT_TARGET_SUCCESS;
export const CLOSE_RATE = 70;

export type Verdict = "no_target" | "covered_by_income" | "on_track" | "close" | "off_track";

/** Whole dollars, rounded half-up once: every dollar figure a sentence shows is one of these fields. */
export interface OutlookMoney {
  current_value: number;
  annual_contribution: number;
  target_income: number;
  /** Social Security and pensions in the first retirement year (mean path). */
  income_at_retirement: number;
  /** Social Security and pensions once all have started (mean path), and the age they are all paid from. */
  income_full: number;
  /** Gross withdrawal in the first retirement year: target less income, grossed up for tax. */
  first_year_withdrawal: number;
  /** Gross withdrawal in the first year all income pays, when that is later than retirement (mean path); else null. */
  withdrawal_after_income: number | null;
  value_at_retirement: { p10: number; p50: number; p90: number; expected: number };
  /** Value not classified by asset class. */
  unclassified_value: number;
}

/** One computed outlook: every sentence about retirement, and the real model's context, is rendered from it. */
export interface RetirementOutlook {
  units: "today's dollars";
  name: string | null;
  goals_set: boolean;
  defaults_used: string[];
  /** `saving`: retirement is ahead; `retired`: withdrawals start this year (retiring now or already past it). */
  situation: "saving" | "retired";
  current_age: number;
  retirement_age: number;
  horizon_age: number;
  /** True when the horizon is later than the usual 95 (late retirement or an old user). */
  horizon_extended: boolean;
  years_to_retirement: number;
  retirement_years: number;
  /** Income sources start by the first retirement year and cover the target in every retirement year. */
  income_covers_target: boolean;
  empty: boolean;
  all_cash: boolean;
  has_fixed_income: boolean;
  /** Age from which all income sources pay (the withdrawal year's start age); null without income. */
  income_full_age: number | null;
  money: OutlookMoney;
  /** Percent of paths that pay every withdrawal, one decimal. */
  success_rate: number;
  /** First withdrawal as a percent of the median value at retirement, one decimal; null when that value is 0. */
  withdrawal_rate: number | null;
  /**
   * With income starting after retirement: the withdrawal once all income pays, as a percent of the median value at
   * the start of that year (the lifetime rate; the first years only bridge to the income); else null.
   */
  withdrawal_rate_after_income: number | null;
  /** Social Security, pensions and annuities as given (name, today's dollars a year, start age). */
  income_sources: { name: string; annual_amount: number; start_age: number; inflation_linked: boolean }[];
  /** Age by which 10% / 50% of paths have run out; null when fewer do. */
  depletion_age: { p10: number | null; p50: number | null };
  /** Percent, one decimal: yearly real return net of fees, its volatility, fees and the withdrawal tax rate. */
  rates: { real_return: number; volatility: number; fee: number; tax: number; contribution_growth: number };
  fees_unknown: string[];
  /** Modelling defaults used where the portfolio file said nothing; every one is named in the outlook. */
  assumed: AssumedDefault[];
  /** Single stocks held and their share of the portfolio (modelled with single-stock volatility). */
  single_stocks: Concentration[];
  /** Held symbols without a price: valued at 0, never guessed. */
  unpriced: string[];
  paths: number;
  seed: number;
  verdict: Verdict;
  /** Each single lever that reaches the target success rate (same seed and paths); null without a spending target. */
  what_it_takes: WhatItTakes | null;
}

interface ProjectOptions {
  seed?: number;
  paths?: number;
  /** Success rate (percent) to solve for; else the plan's `target_success`, else {@link ON_TRACK_RATE}. */
  targetSuccess?: number;
}

const targetFor = (notes: InputNotes, options: ProjectOptions) =>
  options.targetSuccess ?? notes.target_success ?? ON_TRACK_RATE;

/** Whether a draft has a spending target to solve for. */
const hasTarget = (draft: RetirementInputDraft) => draft.target_income > 0;

/** Projects the portfolio and computes its outlook; pure (same portfolio and seed, same result). */
export function projectPortfolio(
  portfolio: Portfolio,
  valuation: Valuation,
  options: ProjectOptions = {},
): { outlook: RetirementOutlook; projection: Projection } {
  const { draft, notes } = retirementInputFromPortfolio(portfolio, valuation, options);
  const projection = simulateRetirement(draft);
  const target = targetFor(notes, options);
  const levers = hasTarget(draft) ? whatItTakes(parseRetirementInput(draft), target) : null;
  return { outlook: computeOutlook(projection, notes, portfolio.user.display_name, levers, target), projection };
}

/** {@link projectPortfolio} in slices that leave the event loop free between simulated years (same numbers). */
export async function projectPortfolioInSlices(
  portfolio: Portfolio,
  valuation: Valuation,
  options: ProjectOptions = {},
): Promise<{ outlook: RetirementOutlook; projection: Projection }> {
  const { draft, notes } = retirementInputFromPortfolio(portfolio, valuation, options);
  const projection = await simulateRetirementInSlices(draft);
  const target = targetFor(notes, options);
  const levers = hasTarget(draft) ? await runInSlices(solveWhatItTakes(parseRetirementInput(draft), target)) : null;
  return { outlook: computeOutlook(projection, notes, portfolio.user.display_name, levers, target), projection };
}

/** The outlook of a projection (pure). */
export function computeOutlook(
  projection: Projection,
  notes: InputNotes,
  name: string | null = null,
  levers: WhatItTakes | null = null,
  targetSuccess = ON_TRACK_RATE,
): RetirementOutlook {
  const a = projection.assumptions;
  const rows = projection.projections;
  // Withdrawal year t is taken at the start of year t: the first, at the retirement age, is on row R + 1.
  const retirementYear = a.retirement_age - a.current_age;
  const firstRetired = rows[retirementYear + 1];
  const retiredRows = rows.filter((row) => row.year > retirementYear);
  const fullIncome = retiredRows.reduce<(typeof rows)[number] | undefined>(
    (best, row) => (best === undefined || row.income > best.income + 0.005 ? row : best),
    undefined,
  );
  const incomeCovers =
    a.target_income > 0 && retiredRows.length > 0 && retiredRows.every((row) => row.withdrawal === 0);
  const empty = a.current_value === 0 && a.annual_contribution === 0;
  const target = dollars(a.target_income);
  const median = dollars(projection.value_at_retirement.p50);
  const firstWithdrawal = dollars(firstRetired?.withdrawal ?? 0);
  const incomeFullAge = fullIncome && fullIncome.income > 0 ? fullIncome.age - 1 : null;
  const bridged = fullIncome !== undefined && incomeFullAge !== null && fullIncome.year > retirementYear + 1;
  const afterIncome = bridged ? dollars(fullIncome.withdrawal) : null;
  const medianThen = bridged ? dollars(rows[fullIncome.year - 1].p50) : 0;
  const money: OutlookMoney = {
    current_value: dollars(a.current_value),
    annual_contribution: dollars(a.annual_contribution),
    target_income: target,
    income_at_retirement: dollars(firstRetired?.income ?? 0),
    income_full: dollars(fullIncome?.income ?? 0),
    first_year_withdrawal: firstWithdrawal,
    withdrawal_after_income: afterIncome,
    value_at_retirement: {
      p10: dollars(projection.value_at_retirement.p10),
      p50: median,
      p90: dollars(projection.value_at_retirement.p90),
      expected: dollars(projection.value_at_retirement.expected),
    },
    unclassified_value: dollars(notes.unclassified_value),
  };
  const verdict: Verdict =
    target === 0
      ? "no_target"
      : incomeCovers
        ? "covered_by_income"
        : projection.success_rate >= targetSuccess
          ? "on_track"
          : projection.success_rate >= CLOSE_RATE
            ? "close"
            : "off_track";
  return {
    units: "today's dollars",
    name,
    goals_set: notes.goals_set,
    defaults_used: notes.defaults_used,
    situation: a.retirement_age > a.current_age ? "saving" : "retired",
    current_age: a.current_age,
    retirement_age: a.retirement_age,
    horizon_age: a.horizon_age,
    horizon_extended: a.horizon_age > HORIZON_AGE,
    years_to_retirement: a.retirement_age - a.current_age,
    retirement_years: a.horizon_age - a.retirement_age,
    income_covers_target: incomeCovers,
    empty,
    all_cash: a.current_value > 0 && a.weights.cash === 1,
    has_fixed_income: a.income.some((source) => !source.inflation_linked),
    income_full_age: incomeFullAge,
    money,
    success_rate: projection.success_rate,
    withdrawal_rate: median > 0 && firstWithdrawal > 0 ? round1((100 * firstWithdrawal) / median) : null,
    withdrawal_rate_after_income:
      afterIncome !== null && afterIncome > 0 && medianThen > 0 ? round1((100 * afterIncome) / medianThen) : null,
    income_sources: a.income.map(({ name, annual_amount, start_age, inflation_linked }) => ({
      name,
      annual_amount: dollars(annual_amount),
      start_age,
      inflation_linked,
    })),
    depletion_age: { p10: projection.depletion_age.p10, p50: projection.depletion_age.p50 },
    rates: {
      real_return: round1(a.portfolio_return.mean * 100),
      volatility: round1(a.portfolio_return.volatility * 100),
      fee: round2(a.fee_rate * 100),
      tax: round1(a.tax.rate * 100),
      contribution_growth: round1(a.contribution_growth * 100),
    },
    fees_unknown: notes.fees_unknown,
    assumed: notes.assumed,
    single_stocks: notes.single_stocks,
    unpriced: notes.unpriced,
    paths: a.paths,
    seed: a.seed,
    verdict,
    what_it_takes: levers,
  };
}

/**
 * Figures beyond `money`, `rates` and the success and withdrawal rates that the outlook's sentences quote: the
 * `what_it_takes` levers and target, the assumed defaults, single-stock shares, income sources and the lifetime rate.
 */
export function outlookExtraFigures(outlook: RetirementOutlook): { amounts: number[]; percentages: number[] } {
  const w = outlook.what_it_takes;
  const levers = w === null ? [] : [w.contribution_per_year, w.spending_per_year, w.spending_per_year_at_50];
  return {
    amounts: [...levers, ...outlook.income_sources.map((s) => s.annual_amount)].filter((n): n is number => n !== null),
    percentages: [
      ...(w === null ? [] : [w.target_success, 50]),
      ...(outlook.withdrawal_rate_after_income === null ? [] : [outlook.withdrawal_rate_after_income]),
      ...outlook.assumed.map((a) => a.percent),
      ...outlook.single_stocks.map((s) => s.percent),
    ],
  };
}

/** Whole dollars, half-up. */
export const dollars = (value: number) => Math.floor(value + 0.5);
const round1 = (value: number) => Math.round(value * 10) / 10;
const round2 = (value: number) => Math.round(value * 100) / 100;
