import { createRandom } from "../random/random.js";
import { type Plan, planFrom, type RetirementInput } from "./input.js";

/** The success rate (percent) a plan should reach: "on track" from here, and what the levers below aim for. */
export const DEFAULT_TARGET_SUCCESS = 85;
/** The latest retirement age the retirement-age lever considers. */
export const LATEST_RETIREMENT_AGE = 75;
/** The largest yearly contribution (today's dollars) the contribution lever tries: beyond it, it is no saver's lever. */
export const MAX_CONTRIBUTION = 1_000_000;
/**
 * Paths the solver simulates per trial. Up to this many it replays the run's own draws (same seed, same order), so a
 * lever fed back as the input lands exactly on what the solver found; above it, the first this many paths of its own.
 */
export const MAX_SOLVER_PATHS = 100_000;

/**
 * What it takes to reach `target_success`: each single lever, the others left as they are. Today's dollars; null
 * where a lever cannot reach the target (or does not apply: no contribution or later retirement for a retiree).
 */
export interface WhatItTakes {
  /** Percent of paths that must pay every withdrawal to the horizon. */
  target_success: number;
  /** The plan already reaches the target: no lever is needed, and `spending_per_year` is the most it supports. */
  reached: boolean;
  /** The smallest yearly contribution (growing as the plan's contributions do) that reaches the target. */
  contribution_per_year: number | null;
  /** The earliest retirement age up to {@link LATEST_RETIREMENT_AGE} that reaches the target. */
  retirement_age: number | null;
  /** The largest yearly spending (after tax, today's dollars) the plan pays at the target rate. */
  spending_per_year: number | null;
  /** Retirees only: the largest yearly spending half of the simulated markets pay to the horizon. */
  spending_per_year_at_50: number | null;
  /** Paths per trial and the number of trials (simulations of the success rate) the solver ran. */
  paths: number;
  trials: number;
}

/** The standard normals of every path-year, path-major, drawn in the simulation's order (year by year, path by path). */
interface Draws {
  paths: number;
  years: number;
  returns: Float64Array;
  /** The inflation draw of each path-year, only when a fixed-dollar income needs it (as in the simulation). */
  inflation: Float64Array | null;
}

function drawsFor(plan: Plan): Draws {
  const paths = Math.min(plan.paths, MAX_SOLVER_PATHS);
  const years = plan.horizonYear;
  const returns = new Float64Array(paths * years);
  const inflation = plan.fixedSources.length > 0 ? new Float64Array(paths * years) : null;
  const random = createRandom(plan.seed);
  for (let year = 0; year < years; year++) {
    for (let path = 0; path < paths; path++) {
      returns[path * years + year] = random.normal();
      if (inflation) inflation[path * years + year] = random.normal();
    }
  }
  return { paths, years, returns, inflation };
}

/**
 * Runs one path from the end of year `fromYear` (value and price levels then) to the horizon, with the simulation's
 * arithmetic and draws; true when it pays every withdrawal. `startLevels` (the price level each fixed-dollar income
 * started at, 1 until then) is updated in place.
 */
function pathSurvives(
  plan: Plan,
  draws: Draws,
  path: number,
  fromYear: number,
  startValue: number,
  startPriceLevel: number,
  startLevels: Float64Array,
): boolean {
  const { years, returns, inflation } = draws;
  const { mean, volatility, inflationMean, inflationVolatility, fixedSources, contributions, linkedIncome } = plan;
  const { retirementYear, target, grossUp } = plan;
  const rho = plan.inflationCorrelation;
  const rhoComplement = Math.sqrt(1 - rho * rho);
  const base = path * years - 1;
  let value = startValue;
  let priceLevel = startPriceLevel;
  for (let year = fromYear + 1; year <= years; year++) {
    const z1 = returns[base + year];
    const growth = 1 + mean + volatility * z1;
    let fixedIncome = 0;
    for (let s = 0; s < fixedSources.length; s++) {
      const source = fixedSources[s];
      if (year === source.startYear) startLevels[s] = priceLevel;
      if (year >= source.startYear) fixedIncome += (source.amount * startLevels[s]) / priceLevel;
    }
    if (year > retirementYear) {
      // withdrawalIn, inlined: the spending not covered by income, grossed up for tax.
      const uncovered = target - linkedIncome[year] - fixedIncome;
      const withdrawal = uncovered > 0 ? uncovered * grossUp : 0;
      if (withdrawal > value) return false;
      value -= withdrawal;
    }
    value = value * (growth > 0 ? growth : 0) + contributions[year];
    if (inflation !== null) {
      const rate = inflationMean + inflationVolatility * (rho * z1 + rhoComplement * inflation[base + year]);
      priceLevel *= rate > -0.99 ? 1 + rate : 0.01;
    }
  }
  return true;
}

/** Percent of paths that pay every withdrawal to the horizon, from today: the simulation's success rate, unrounded. */
function successPercent(plan: Plan, draws: Draws): number {
  const startLevels = new Float64Array(plan.fixedSources.length);
  let successes = 0;
  for (let path = 0; path < draws.paths; path++) {
    startLevels.fill(1);
    if (pathSurvives(plan, draws, path, 0, plan.startValue, 1, startLevels)) successes++;
  }
  return (100 * successes) / draws.paths;
}

/**
 * Each path at the end of the saving years, computed once for every trial that keeps the retirement age: its value
 * is `base + contribution × perDollar` (the saving years are linear in the contribution), then its price levels.
 */
interface SavedPaths {
  year: number;
  base: Float64Array;
  perDollar: Float64Array;
  priceLevels: Float64Array;
  /** paths × fixed sources. */
  startLevels: Float64Array;
}

function savedPaths(input: RetirementInput, draws: Draws): SavedPaths {
  const plan = planFrom({ ...input, annual_contribution: 0 });
  const perDollarYear = planFrom({ ...input, annual_contribution: 1 }).contributions;
  const { years, returns, inflation } = draws;
  const sources = plan.fixedSources;
  const rho = plan.inflationCorrelation;
  const rhoComplement = Math.sqrt(1 - rho * rho);
  const saved: SavedPaths = {
    year: plan.retirementYear,
    base: new Float64Array(draws.paths),
    perDollar: new Float64Array(draws.paths),
    priceLevels: new Float64Array(draws.paths),
    startLevels: new Float64Array(draws.paths * sources.length).fill(1),
  };
  for (let path = 0; path < draws.paths; path++) {
    const base = path * years - 1;
    let value = plan.startValue;
    let perDollar = 0;
    let priceLevel = 1;
    for (let year = 1; year <= plan.retirementYear; year++) {
      const z1 = returns[base + year];
      const growth = 1 + plan.mean + plan.volatility * z1;
      for (let s = 0; s < sources.length; s++) {
        if (year === sources[s].startYear) saved.startLevels[path * sources.length + s] = priceLevel;
      }
      value = value * (growth > 0 ? growth : 0);
      perDollar = perDollar * (growth > 0 ? growth : 0) + perDollarYear[year];
      if (inflation !== null) {
        const rate =
          plan.inflationMean + plan.inflationVolatility * (rho * z1 + rhoComplement * inflation[base + year]);
        priceLevel *= rate > -0.99 ? 1 + rate : 0.01;
      }
    }
    saved.base[path] = value;
    saved.perDollar[path] = perDollar;
    saved.priceLevels[path] = priceLevel;
  }
  return saved;
}

/** {@link successPercent} for a plan with the saved paths' retirement age, from the end of its saving years. */
function successAfterSaving(plan: Plan, draws: Draws, saved: SavedPaths, contribution: number): number {
  const count = plan.fixedSources.length;
  const startLevels = new Float64Array(count);
  let successes = 0;
  for (let path = 0; path < draws.paths; path++) {
    startLevels.set(saved.startLevels.subarray(path * count, path * count + count));
    const value = saved.base[path] + contribution * saved.perDollar[path];
    if (pathSurvives(plan, draws, path, saved.year, value, saved.priceLevels[path], startLevels)) successes++;
  }
  return (100 * successes) / draws.paths;
}

/** The success rate (percent, one decimal) the solver sees for an input: the simulation's own, for up to MAX_SOLVER_PATHS. */
export function solverSuccessRate(input: RetirementInput): number {
  const plan = planFrom(input);
  return round1(successPercent(plan, drawsFor(plan)));
}

/** One decimal, exactly as the simulation rounds its success rate. */
const round1 = (value: number) => Math.round(value * 10) / 10;

/** Smallest whole-dollar x ≥ `from` (at most `cap`) for which `reaches` holds (rising in x), to $1; null if none. */
function* smallestReaching(from: number, cap: number, reaches: (x: number) => boolean): Generator<void, number | null> {
  if (reaches(from)) return Math.ceil(from);
  let low = from;
  let high = Math.min(cap, Math.max(1_000, from * 2));
  for (;;) {
    yield;
    if (reaches(high)) break;
    if (high >= cap) return null;
    low = high;
    high = Math.min(cap, high * 2);
  }
  while (high - low > 1) {
    yield;
    const middle = (low + high) / 2;
    if (reaches(middle)) high = middle;
    else low = middle;
  }
  return Math.ceil(high);
}

/** Largest whole-dollar x ≥ 0 for which `reaches` holds (falling in x, true at 0), searched from `guess`, to $1. */
function* largestReaching(guess: number, reaches: (x: number) => boolean): Generator<void, number> {
  let low = 0;
  let high = Math.max(1_000, guess);
  for (;;) {
    yield;
    if (!reaches(high)) break;
    low = high;
    if (high >= 1e12) return Math.floor(high);
    high *= 2;
  }
  while (high - low > 1) {
    yield;
    const middle = (low + high) / 2;
    if (reaches(middle)) low = middle;
    else high = middle;
  }
  return Math.floor(low);
}

/** Earliest whole age in (`from`, `to`] for which `reaches` holds (rising in age), by bisection; null if none. */
function* earliestAge(from: number, to: number, reaches: (age: number) => boolean): Generator<void, number | null> {
  if (to <= from) return null;
  yield;
  if (!reaches(to)) return null;
  let low = from;
  let high = to;
  while (high - low > 1) {
    yield;
    const middle = Math.floor((low + high) / 2);
    if (reaches(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * Each single lever that brings `input` to `target` percent success, with the same seeded paths for every trial
 * (common random numbers: each path's outcome moves one way with each lever, so the success rate is monotone in it
 * and bisection finds its edge exactly). Yields between trials so a caller can leave the event loop free.
 */
export function* solveWhatItTakes(
  input: RetirementInput,
  target = DEFAULT_TARGET_SUCCESS,
): Generator<void, WhatItTakes> {
  const base = planFrom(input);
  const draws = drawsFor(base);
  const saved = savedPaths(input, draws);
  let trials = 0;
  const reachesWith = (change: Partial<RetirementInput>, goal = target) => {
    trials++;
    const plan = planFrom({ ...input, ...change });
    const percent =
      change.retirement_age === undefined
        ? successAfterSaving(plan, draws, saved, change.annual_contribution ?? input.annual_contribution)
        : successPercent(plan, draws);
    // Rounded as the simulation's success_rate is, so `reached` agrees with the verdict the outlook shows.
    return round1(percent) >= goal;
  };
  const saving = base.retirementYear > 0;
  const reached = reachesWith({});
  const spending = yield* largestReaching(input.target_income, (x) => reachesWith({ target_income: x }));
  const atHalf = saving ? null : yield* largestReaching(spending, (x) => reachesWith({ target_income: x }, 50));
  const contribution =
    reached || !saving
      ? null
      : yield* smallestReaching(input.annual_contribution, MAX_CONTRIBUTION, (x) =>
          reachesWith({ annual_contribution: x }),
        );
  const latest = Math.min(LATEST_RETIREMENT_AGE, input.horizon_age - 1);
  const age =
    reached || !saving
      ? null
      : yield* earliestAge(input.retirement_age, latest, (x) => reachesWith({ retirement_age: x }));
  return {
    target_success: target,
    reached,
    contribution_per_year: contribution,
    retirement_age: age,
    spending_per_year: spending > 0 ? spending : null,
    spending_per_year_at_50: atHalf !== null && atHalf > 0 ? atHalf : null,
    paths: draws.paths,
    trials,
  };
}

/** {@link solveWhatItTakes} run to the end at once. */
export function whatItTakes(input: RetirementInput, target = DEFAULT_TARGET_SUCCESS): WhatItTakes {
  const solver = solveWhatItTakes(input, target);
  for (;;) {
    const step = solver.next();
    if (step.done) return step.value;
  }
}
