import { ASSET_CLASSES } from "../portfolio/types.js";
import { createRandom } from "../random/random.js";
import type { MarketAssumptions } from "./assumptions.js";
import { closedForm } from "./closed-form.js";
import {
  type AssetWeights,
  expectedFixedIncome,
  incomeIn,
  type Plan,
  parseRetirementInput,
  planFrom,
  type RetirementInput,
  type RetirementInputDraft,
  withdrawalIn,
} from "./input.js";

export interface PercentileValues {
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

export interface ProjectionRow extends PercentileValues {
  /** 0 = today. Values are in today's dollars at the end of the year, after its contribution or withdrawal. */
  year: number;
  age: number;
  phase: "accumulation" | "retirement";
  /** Gross withdrawal taken at the start of this year on the mean path, today's dollars; 0 before retirement. */
  withdrawal: number;
  /** Income from Social Security and pensions this year on the mean path, today's dollars. */
  income: number;
  /** The zero-volatility (mean return) value. */
  expected: number;
}

/** What one run used, recorded with the job. */
export interface RunAssumptions {
  market: MarketAssumptions;
  weights: AssetWeights;
  /** Yearly real return of the rebalanced portfolio, net of fees; σ; correlation with inflation. */
  portfolio_return: { mean: number; volatility: number; inflation_correlation: number };
  fee_rate: number;
  tax: RetirementInput["tax"];
  income: RetirementInput["income"];
  annual_contribution: number;
  contribution_growth: number;
  target_income: number;
  current_value: number;
  current_age: number;
  retirement_age: number;
  horizon_age: number;
  paths: number;
  seed: number;
  model: string;
}

/** The simulation's numbers, all in today's dollars. */
export interface Projection {
  /** % of paths that pay every withdrawal in full until the horizon (one decimal). */
  success_rate: number;
  value_at_retirement: PercentileValues & { expected: number };
  years_lasted: PercentileValues & { mean: number; retirement_years: number };
  /** Age by which that share of paths has run out of money; null when fewer paths ever run out. */
  depletion_age: Record<keyof PercentileValues, number | null>;
  projections: ProjectionRow[];
  assumptions: RunAssumptions;
}

const PERCENTILES = [10, 25, 50, 75, 90] as const;
const PERCENTILE_KEYS = ["p10", "p25", "p50", "p75", "p90"] as const;

export const MODEL_DESCRIPTION =
  "Yearly steps in real terms (today's dollars) from now to horizon_age. Asset-class real returns are jointly normal " +
  "with the assumed means, volatilities and correlations; the portfolio, rebalanced yearly, therefore has a normal real " +
  "return with mean wᵀμ − fees and variance wᵀΣw, drawn with inflation through a Cholesky factor. Contributions are added " +
  "at the end of each saving year; from retirement_age on, the spending target less Social Security and pensions, " +
  "grossed up for tax on tax-deferred withdrawals, is withdrawn at the start of each year. Fixed-dollar pensions lose " +
  "value with each path's simulated inflation. A path fails when a withdrawal exceeds its value. Percentiles are " +
  "nearest-rank across paths.";

/** Nearest-rank percentiles (`percents` ascending, 0 < p ≤ 100) of `values`, by quickselect. Reorders `values`. */
export function percentilesOf(values: Float64Array, percents: readonly number[]): number[] {
  let lo = 0;
  return percents.map((percent) => {
    const rank = rankOf(percent, values.length);
    selectInPlace(values, rank, lo, values.length - 1);
    lo = rank;
    return values[rank];
  });
}

function rankOf(percent: number, n: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil((percent * n) / 100) - 1));
}

/** Moves the `k`-th smallest of `a[lo..hi]` to index k, smaller ones before it, larger after (Hoare partitioning). */
function selectInPlace(a: Float64Array, k: number, lo: number, hi: number): void {
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const swap = a[i];
        a[i] = a[j];
        a[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}

interface Simulation {
  /** PERCENTILES for each year, flattened: year y at [y·5, y·5 + 5). */
  percentiles: Float64Array;
  /** Paths by the year their withdrawal first fell short; index horizonYear + 1 counts paths that never did. */
  failuresByYear: Int32Array;
}

/**
 * Runs every path year by year. Each path-year draws the portfolio's real return whatever the path's state (so paths
 * match across inputs) and, when a fixed-dollar pension needs it, inflation through the 2 × 2 Cholesky factor
 * [[1, 0], [ρ, √(1−ρ²)]] of their correlation.
 */
function* simulatePaths(plan: Plan): Generator<number, Simulation> {
  const { paths, horizonYear, mean, volatility, inflationMean, inflationVolatility } = plan;
  const rho = plan.inflationCorrelation;
  const rhoComplement = Math.sqrt(1 - rho * rho);
  const fixedSources = plan.fixedSources;
  const tracksInflation = fixedSources.length > 0;
  const startLevels = fixedSources.map(() => new Float64Array(paths).fill(1));
  const never = horizonYear + 1;
  const values = new Float64Array(paths).fill(plan.startValue);
  const priceLevels = new Float64Array(paths).fill(1);
  const scratch = new Float64Array(paths);
  const failureYear = new Int32Array(paths).fill(never);
  const percentiles = new Float64Array((horizonYear + 1) * PERCENTILES.length);
  const random = createRandom(plan.seed);
  const recordPercentiles = (year: number) => {
    scratch.set(values);
    percentiles.set(percentilesOf(scratch, PERCENTILES), year * PERCENTILES.length);
  };

  recordPercentiles(0);
  for (let year = 1; year <= horizonYear; year++) {
    const contribution = plan.contributions[year];
    const retired = year > plan.retirementYear;
    for (let path = 0; path < paths; path++) {
      const z1 = random.normal();
      const growth = 1 + mean + volatility * z1;
      let value = values[path];
      for (let s = 0; s < fixedSources.length; s++) {
        if (year === fixedSources[s].startYear) startLevels[s][path] = priceLevels[path];
      }
      if (retired) {
        let fixedIncome = 0;
        for (let s = 0; s < fixedSources.length; s++) {
          const source = fixedSources[s];
          if (year >= source.startYear) fixedIncome += (source.amount * startLevels[s][path]) / priceLevels[path];
        }
        const withdrawal = withdrawalIn(plan, year, fixedIncome);
        if (withdrawal > value) {
          value = 0;
          if (failureYear[path] === never) failureYear[path] = year;
        } else {
          value -= withdrawal;
        }
      }
      value = value * (growth > 0 ? growth : 0) + contribution;
      values[path] = value;
      if (tracksInflation) {
        const inflation = inflationMean + inflationVolatility * (rho * z1 + rhoComplement * random.normal());
        priceLevels[path] *= inflation > -0.99 ? 1 + inflation : 0.01;
      }
    }
    recordPercentiles(year);
    yield year;
  }

  const failuresByYear = new Int32Array(never + 1);
  for (const year of failureYear) failuresByYear[year]++;
  return { percentiles, failuresByYear };
}

/** The `rank`-th smallest year (0-based) in a histogram of years. */
function rankedYear(countsByYear: Int32Array, rank: number): number {
  let seen = 0;
  for (let year = 0; year < countsByYear.length; year++) {
    seen += countsByYear[year];
    if (seen > rank) return year;
  }
  return countsByYear.length - 1;
}

function percentileValuesAt(simulation: Simulation, year: number): PercentileValues {
  const offset = year * PERCENTILES.length;
  return mapPercentiles((_, i) => cents(simulation.percentiles[offset + i]));
}

function mapPercentiles<T>(valueAt: (percent: number, index: number) => T): Record<keyof PercentileValues, T> {
  return Object.fromEntries(PERCENTILE_KEYS.map((key, i) => [key, valueAt(PERCENTILES[i], i)])) as Record<
    keyof PercentileValues,
    T
  >;
}

function projectionRows(plan: Plan, simulation: Simulation): ProjectionRow[] {
  return Array.from({ length: plan.horizonYear + 1 }, (_, year) => ({
    year,
    age: plan.currentAge + year,
    phase: isSaving(plan, year) ? "accumulation" : "retirement",
    ...percentileValuesAt(simulation, year),
    withdrawal: cents(withdrawalIn(plan, year, expectedFixedIncome(plan, year))),
    income: year > plan.retirementYear ? cents(incomeIn(plan, year)) : 0,
    expected: cents(closedForm(plan, year)),
  }));
}

/** Years up to retirement save; year 0 belongs to the saving phase unless the user retires today. */
function isSaving(plan: Plan, year: number): boolean {
  return year === 0 ? plan.retirementYear > 0 : year <= plan.retirementYear;
}

function yearsLasted(plan: Plan, { failuresByYear }: Simulation): Projection["years_lasted"] {
  const lastedFrom = (failureYear: number) => failureYear - plan.retirementYear - 1;
  let total = 0;
  failuresByYear.forEach((count, year) => {
    if (count > 0) total += count * lastedFrom(year);
  });
  return {
    retirement_years: plan.horizonYear - plan.retirementYear,
    mean: round1(total / plan.paths),
    ...mapPercentiles((percent) => lastedFrom(rankedYear(failuresByYear, rankOf(percent, plan.paths)))),
  };
}

/** Withdrawal year t is paid at age currentAge + t − 1: a path failing in year t runs out at that age. */
function depletionAges(plan: Plan, { failuresByYear }: Simulation): Projection["depletion_age"] {
  return mapPercentiles((percent) => {
    const year = rankedYear(failuresByYear, rankOf(percent, plan.paths));
    return year <= plan.horizonYear ? plan.currentAge + year - 1 : null;
  });
}

function assumptionsOf(input: RetirementInput, plan: Plan): RunAssumptions {
  return {
    market: plan.market,
    weights: Object.fromEntries(ASSET_CLASSES.map((c) => [c, round4(input.weights[c])])) as AssetWeights,
    portfolio_return: {
      mean: round4(plan.mean),
      volatility: round4(plan.volatility),
      inflation_correlation: round4(plan.inflationCorrelation),
    },
    fee_rate: input.fee_rate,
    tax: input.tax,
    income: input.income,
    annual_contribution: input.annual_contribution,
    contribution_growth: input.contribution_growth,
    target_income: input.target_income,
    current_value: input.current_value,
    current_age: input.current_age,
    retirement_age: input.retirement_age,
    horizon_age: input.horizon_age,
    paths: input.paths,
    seed: input.seed,
    model: MODEL_DESCRIPTION,
  };
}

/** Runs every simulated year at once. */
function runToEnd(years: Generator<number, Simulation>): Simulation {
  for (;;) {
    const step = years.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs a stepwise computation (the simulated years, the solver's trials) in slices of about `sliceMs`, letting other
 * work (timers, I/O, other agents' model calls) run between slices. The result is the same as running at once.
 */
export async function runInSlices<T>(steps: Generator<unknown, T>, sliceMs = SLICE_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
}

/** Runs the seeded Monte Carlo; pure: the same input (seed included) gives the same projection. Throws `RetirementInputError`. */
export function simulateRetirement(draft: RetirementInputDraft): Projection {
  const input = parseRetirementInput(draft);
  const plan = planFrom(input);
  return projectionOf(input, plan, runToEnd(simulatePaths(plan)));
}

/** How long the Monte Carlo runs between yields to the event loop when it runs beside other work. */
export const SLICE_MS = 5;

/**
 * {@link simulateRetirement} without blocking the event loop: the same projection (same seed → same numbers),
 * computed in slices of about {@link SLICE_MS} so that concurrent agents' model calls and I/O are not held up.
 */
export async function simulateRetirementInSlices(draft: RetirementInputDraft, sliceMs = SLICE_MS): Promise<Projection> {
  const input = parseRetirementInput(draft);
  const plan = planFrom(input);
  return projectionOf(input, plan, await runInSlices(simulatePaths(plan), sliceMs));
}

function projectionOf(input: RetirementInput, plan: Plan, simulation: Simulation): Projection {
  return {
    success_rate: round1((100 * simulation.failuresByYear[plan.horizonYear + 1]) / plan.paths),
    value_at_retirement: {
      ...percentileValuesAt(simulation, plan.retirementYear),
      expected: cents(closedForm(plan, plan.retirementYear)),
    },
    years_lasted: yearsLasted(plan, simulation),
    depletion_age: depletionAges(plan, simulation),
    projections: projectionRows(plan, simulation),
    assumptions: assumptionsOf(input, plan),
  };
}

/** Rounds to the cent, half away from zero (values here are never negative). */
export const cents = (value: number) => Math.round((value + Number.EPSILON * Math.abs(value)) * 100) / 100;
const round1 = (value: number) => Math.round(value * 10) / 10;
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
