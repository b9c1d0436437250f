import { afterEach, describe, expect, it, vi } from "vitest";
import { ASSET_CLASSES } from "../../lib/portfolio/types.js";
import { createRandom } from "../../lib/random/random.js";
import { marketAssumptions, portfolioMoments } from "../../lib/retirement/assumptions.js";
import type { RetirementInputDraft } from "../../lib/retirement/input.js";
import {
  cents,
  MODEL_DESCRIPTION,
  simulateRetirement,
  simulateRetirementInSlices,
} from "../../lib/retirement/simulation.js";

// What the outlook shows: when the money runs out, how many years it lasts, the spread of values. With no asset
// weights the portfolio's real return is 0 + σ·z, σ being `concentration_volatility` alone; with weights it is the
// rebalanced portfolio's (assumptions.ts), drawn with inflation through the 2 × 2 Cholesky factor of their
// correlation. Either way the paths can be replayed here from the documented model with the same random stream.

interface Source {
  annual_amount: number;
  start_age: number;
  inflation_linked?: boolean;
}

type Draft = RetirementInputDraft & {
  horizon_age: number;
  paths: number;
  seed: number;
  concentration_volatility: number;
  income: (Source & { name: string })[];
  assumptions: { inflation: { mean: number; volatility: number } };
};

/** The portfolio's yearly real return (mean, σ) and its correlation with inflation. */
function momentsOf(d: Draft) {
  if (!d.weights) return { mean: 0, volatility: d.concentration_volatility, inflationCorrelation: 0 };
  const weights = Object.fromEntries(ASSET_CLASSES.map((c) => [c, d.weights?.[c] ?? 0])) as Record<
    (typeof ASSET_CLASSES)[number],
    number
  >;
  return portfolioMoments(weights, marketAssumptions(d.assumptions), d.fee_rate ?? 0);
}

/** Every path's value by year and the year its withdrawal first fell short (horizon + 1: never). */
function replay(d: Draft) {
  const random = createRandom(d.seed);
  const { mean, volatility, inflationCorrelation: rho } = momentsOf(d);
  const grossUp = 1 / (1 - (d.tax?.rate ?? 0) * (d.tax?.deferred_share ?? 0));
  const retirementYear = d.retirement_age - d.current_age;
  const horizonYear = d.horizon_age - d.current_age;
  const never = horizonYear + 1;
  const fixed = d.income.filter((s) => s.inflation_linked === false);
  const values = new Array<number>(d.paths).fill(d.current_value);
  const levels = new Array<number>(d.paths).fill(1);
  const startLevels = fixed.map(() => new Array<number>(d.paths).fill(1));
  const failure = new Array<number>(d.paths).fill(never);
  const byYear: number[][] = [[...values]];
  for (let t = 1; t <= horizonYear; t++) {
    const age = d.current_age + t - 1;
    for (let p = 0; p < d.paths; p++) {
      const z = random.normal();
      const growth = 1 + mean + volatility * z;
      fixed.forEach((s, i) => {
        if (age === Math.max(d.current_age, s.start_age)) startLevels[i][p] = levels[p];
      });
      if (t > retirementYear) {
        const linked = d.income
          .filter((s) => s.inflation_linked !== false && age >= s.start_age)
          .reduce((sum, s) => sum + s.annual_amount, 0);
        const pensions = fixed.reduce(
          (sum, s, i) => sum + (age >= s.start_age ? (s.annual_amount * startLevels[i][p]) / levels[p] : 0),
          0,
        );
        const withdrawal = Math.max(0, d.target_income - linked - pensions) * grossUp;
        if (withdrawal > values[p]) {
          values[p] = 0;
          if (failure[p] === never) failure[p] = t;
        } else values[p] -= withdrawal;
      }
      values[p] = values[p] * Math.max(0, growth) + (t <= retirementYear ? (d.annual_contribution ?? 0) : 0);
      if (fixed.length > 0) {
        const { mean: inflationMean, volatility: inflationVolatility } = d.assumptions.inflation;
        const inflation = inflationMean + inflationVolatility * (rho * z + Math.sqrt(1 - rho * rho) * random.normal());
        // Prices fall at most 99% in a year.
        levels[p] *= Math.max(0.01, 1 + inflation);
      }
    }
    byYear.push([...values]);
  }
  return { byYear, failure, retirementYear, horizonYear };
}

/** Nearest rank: the smallest value with at least `percent`% of the values at or below it. */
const nearestRank = (values: number[], percent: number) =>
  [...values].sort((a, b) => a - b)[Math.ceil((percent * values.length) / 100) - 1];

const KEYS = { p10: 10, p25: 25, p50: 50, p75: 75, p90: 90 } as const;

function expectMatchesReplay(d: Draft) {
  const outlook = simulateRetirement(d);
  const { byYear, failure, retirementYear, horizonYear } = replay(d);
  const lasted = failure.map((year) => year - retirementYear - 1);
  const survivors = failure.filter((year) => year > horizonYear).length;
  expect(outlook.success_rate).toBe(Math.round((1000 * survivors) / d.paths) / 10);
  expect(outlook.years_lasted.retirement_years).toBe(horizonYear - retirementYear);
  expect(outlook.years_lasted.mean).toBe(Math.round((10 * lasted.reduce((a, b) => a + b, 0)) / d.paths) / 10);
  for (const [key, percent] of Object.entries(KEYS) as [keyof typeof KEYS, number][]) {
    const year = nearestRank(failure, percent);
    expect(outlook.years_lasted[key], `years lasted ${key}`).toBe(year - retirementYear - 1);
    expect(outlook.depletion_age[key], `depletion age ${key}`).toBe(
      year <= horizonYear ? d.current_age + year - 1 : null,
    );
    expect(outlook.value_at_retirement[key], `value at retirement ${key}`).toBeCloseTo(
      nearestRank(byYear[retirementYear], percent),
      1,
    );
    for (const row of outlook.projections) {
      expect(row[key], `${key} in year ${row.year}`).toBeCloseTo(nearestRank(byYear[row.year], percent), 1);
    }
  }
  return outlook;
}

const base = (change: Partial<Draft>): Draft => ({
  current_value: 300_000,
  current_age: 55,
  retirement_age: 60,
  horizon_age: 95,
  target_income: 20_000,
  annual_contribution: 20_000,
  concentration_volatility: 0.15,
  income: [],
  assumptions: { inflation: { mean: 0.03, volatility: 0 } },
  paths: 200,
  seed: 7,
  ...change,
});

describe("the Monte Carlo's figures, path by path", () => {
  it("a saver: values each year, success, years lasted and the age the money runs out", () => {
    const outlook = expectMatchesReplay(base({}));
    expect(outlook.success_rate).toBeGreaterThan(0);
    expect(outlook.success_rate).toBeLessThan(100);
    expect(outlook.depletion_age.p10).not.toBeNull();
  });

  it("a retiree with Social Security from 70 and a fixed pension from 72 whose value inflation erodes", () => {
    const outlook = expectMatchesReplay(
      base({
        current_value: 400_000,
        current_age: 65,
        retirement_age: 65,
        target_income: 45_000,
        annual_contribution: 0,
        concentration_volatility: 0.1,
        income: [
          { name: "Social Security", annual_amount: 12_000, start_age: 70 },
          { name: "Pension", annual_amount: 15_000, start_age: 72, inflation_linked: false },
        ],
        assumptions: { inflation: { mean: 0.03, volatility: 0.02 } },
      }),
    );
    expect(outlook.projections[5].income).toBe(0);
    expect(outlook.projections[6].income).toBe(12_000);
    expect(outlook.projections[8].income).toBe(27_000);
    expect(outlook.projections[9].income).toBe(cents(12_000 + 15_000 / 1.03));
  });

  it("a pension that started before today is worth its amount today", () => {
    expectMatchesReplay(
      base({
        current_age: 70,
        retirement_age: 70,
        annual_contribution: 0,
        target_income: 30_000,
        income: [{ name: "Pension", annual_amount: 10_000, start_age: 60, inflation_linked: false }],
        assumptions: { inflation: { mean: 0.03, volatility: 0.02 } },
      }),
    );
  });
});

describe("the Monte Carlo's figures, path by path, in harder markets", () => {
  it("a 60/40 retiree with fees, tax and a fixed pension: inflation drawn with the portfolio's correlation", () => {
    const d = base({
      weights: { equity: 0.6, fixed_income: 0.4 },
      fee_rate: 0.004,
      tax: { rate: 0.2, deferred_share: 0.5 },
      concentration_volatility: 0,
      current_value: 600_000,
      current_age: 64,
      retirement_age: 66,
      target_income: 42_000,
      annual_contribution: 10_000,
      income: [{ name: "Pension", annual_amount: 20_000, start_age: 66, inflation_linked: false }],
      assumptions: { inflation: { mean: 0.03, volatility: 0.04 } },
      paths: 100,
    });
    expect(momentsOf(d).inflationCorrelation).toBeLessThan(-0.1);
    const outlook = expectMatchesReplay(d);
    expect(outlook.success_rate).toBeGreaterThan(0);
    expect(outlook.success_rate).toBeLessThan(100);
  });

  it("a year worse than −100% leaves a path with nothing, never less", () => {
    const outlook = expectMatchesReplay(base({ concentration_volatility: 1, paths: 100 }));
    expect(Math.min(...outlook.projections.map((row) => row.p10))).toBe(0);
  });

  it("prices fall at most 99% in a year, so a fixed pension keeps a finite, positive value", () => {
    const outlook = expectMatchesReplay(
      base({
        current_age: 65,
        retirement_age: 65,
        annual_contribution: 0,
        income: [{ name: "Pension", annual_amount: 10_000, start_age: 65, inflation_linked: false }],
        assumptions: { inflation: { mean: 0, volatility: 0.8 } },
        paths: 60,
      }),
    );
    for (const row of outlook.projections) expect(row.p10, `year ${row.year}`).toBeGreaterThanOrEqual(0);
  });
});

describe("when the money runs out (no volatility)", () => {
  const calm = (change: Partial<Draft>) =>
    simulateRetirement(
      base({
        current_value: 100_000,
        current_age: 65,
        retirement_age: 65,
        annual_contribution: 0,
        concentration_volatility: 0,
        paths: 10,
        ...change,
      }),
    );

  it("$100,000 paying $20,000 a year from 65 lasts 5 years and runs out at 70", () => {
    const outlook = calm({});
    expect(outlook.success_rate).toBe(0);
    expect(outlook.years_lasted).toEqual({ retirement_years: 30, mean: 5, p10: 5, p25: 5, p50: 5, p75: 5, p90: 5 });
    expect(outlook.depletion_age).toEqual({ p10: 70, p25: 70, p50: 70, p75: 70, p90: 70 });
  });

  it("counts a fixed pension from its start age only: from 68 it makes the money last to 72", () => {
    const pension = (start_age: number) => [
      { name: "Pension", annual_amount: 10_000, start_age, inflation_linked: false },
    ];
    const noInflation = { inflation: { mean: 0, volatility: 0 } };
    expect(calm({ income: pension(68), assumptions: noInflation }).depletion_age.p50).toBe(72);
    expect(calm({ income: pension(68), assumptions: noInflation }).years_lasted.p50).toBe(7);
    expect(calm({ income: pension(65), assumptions: noInflation }).depletion_age.p50).toBe(75);
    expect(calm({ income: pension(80), assumptions: noInflation }).depletion_age.p50).toBe(70);
  });

  it("money that lasts to the horizon runs out at no age and lasts every retirement year", () => {
    const outlook = calm({ target_income: 3_000 });
    expect(outlook.success_rate).toBe(100);
    expect(outlook.depletion_age).toEqual({ p10: null, p25: null, p50: null, p75: null, p90: null });
    expect(outlook.years_lasted).toEqual({
      retirement_years: 30,
      mean: 30,
      p10: 30,
      p25: 30,
      p50: 30,
      p75: 30,
      p90: 30,
    });
  });

  it("money that runs out in the last year runs out at 94, having lasted 29 of 30 years", () => {
    // $100,000 pays 29 withdrawals of $3,400 and leaves $1,400, short of the 30th (paid at 94).
    const outlook = calm({ target_income: 3_400 });
    expect(outlook.success_rate).toBe(0);
    expect(outlook.depletion_age).toEqual({ p10: 94, p25: 94, p50: 94, p75: 94, p90: 94 });
    expect(outlook.years_lasted).toMatchObject({ retirement_years: 30, mean: 29, p50: 29 });
  });

  it("income counts from retirement on: Social Security started at 62 shows no income while saving to 66", () => {
    const outlook = calm({
      current_age: 60,
      retirement_age: 66,
      annual_contribution: 5_000,
      income: [{ name: "Social Security", annual_amount: 12_000, start_age: 62 }],
    });
    expect(outlook.projections.slice(0, 9).map((r) => [r.age, r.phase, r.income, r.withdrawal])).toEqual([
      [60, "accumulation", 0, 0],
      [61, "accumulation", 0, 0],
      [62, "accumulation", 0, 0],
      [63, "accumulation", 0, 0],
      [64, "accumulation", 0, 0],
      [65, "accumulation", 0, 0],
      [66, "accumulation", 0, 0],
      [67, "retirement", 12_000, 8_000],
      [68, "retirement", 12_000, 8_000],
    ]);
  });

  it("a saver's years: ages, phases, contributions then withdrawals", () => {
    const outlook = calm({ current_age: 60, annual_contribution: 10_000, target_income: 30_000 });
    expect(outlook.projections.slice(0, 8).map((r) => [r.age, r.phase, r.withdrawal, r.p50])).toEqual([
      [60, "accumulation", 0, 100_000],
      [61, "accumulation", 0, 110_000],
      [62, "accumulation", 0, 120_000],
      [63, "accumulation", 0, 130_000],
      [64, "accumulation", 0, 140_000],
      [65, "accumulation", 0, 150_000],
      [66, "retirement", 30_000, 120_000],
      [67, "retirement", 30_000, 90_000],
    ]);
    expect(outlook.value_at_retirement).toEqual({
      p10: 150_000,
      p25: 150_000,
      p50: 150_000,
      p75: 150_000,
      p90: 150_000,
      expected: 150_000,
    });
    expect(outlook.depletion_age.p50).toBe(70);
    expect(outlook.years_lasted.p50).toBe(5);
  });

  it("a retiree's first year is already retirement", () => {
    expect(calm({}).projections[0]).toMatchObject({ year: 0, age: 65, phase: "retirement", withdrawal: 0, income: 0 });
    expect(calm({}).projections[1]).toMatchObject({ year: 1, age: 66, phase: "retirement", withdrawal: 20_000 });
  });
});

describe("what a run records", () => {
  it("its inputs, the rounded portfolio return and the model", () => {
    const outlook = simulateRetirement({
      current_value: 250_000,
      weights: { equity: 0.6, fixed_income: 0.4 },
      current_age: 50,
      retirement_age: 62,
      target_income: 50_000,
      annual_contribution: 12_000,
      contribution_growth: 0.01,
      fee_rate: 0.0042,
      tax: { rate: 0.14, deferred_share: 0.5 },
      paths: 50,
      seed: 9,
    });
    expect(outlook.assumptions).toMatchObject({
      weights: { equity: 0.6, fixed_income: 0.4, real_estate: 0, commodities: 0, cash: 0, alternatives: 0 },
      fee_rate: 0.0042,
      tax: { rate: 0.14, deferred_share: 0.5 },
      income: [],
      annual_contribution: 12_000,
      contribution_growth: 0.01,
      target_income: 50_000,
      current_value: 250_000,
      current_age: 50,
      retirement_age: 62,
      horizon_age: 95,
      paths: 50,
      seed: 9,
      model: MODEL_DESCRIPTION,
    });
    const { mean, volatility, inflation_correlation } = outlook.assumptions.portfolio_return;
    for (const rounded of [mean, volatility, inflation_correlation])
      expect(Math.round(rounded * 1e4) / 1e4).toBe(rounded);
    expect(mean).toBeGreaterThan(0);
    expect(volatility).toBeGreaterThan(0.05);
  });
});

describe("the model a run records", () => {
  it("states the steps, the returns, when money moves, pensions and inflation, failure and percentiles", () => {
    const { model } = simulateRetirement(base({ paths: 1 })).assumptions;
    for (const statement of [
      "Yearly steps in real terms (today's dollars) from now to horizon_age.",
      "jointly normal with the assumed means, volatilities and correlations;",
      "rebalanced yearly, therefore has a normal real return with mean wᵀμ − fees and variance wᵀΣw",
      "drawn with inflation through a Cholesky factor. Contributions are added at the end of each saving year;",
      "the spending target less Social Security and pensions, grossed up for tax on tax-deferred withdrawals,",
      "Fixed-dollar pensions lose value with each path's simulated inflation.",
      "A path fails when a withdrawal exceeds its value. Percentiles are nearest-rank across paths.",
    ])
      expect(model).toContain(statement);
    expect(model).toBe(MODEL_DESCRIPTION);
  });
});

describe("the Monte Carlo in slices, by the clock", () => {
  afterEach(() => vi.restoreAllMocks());

  /** Counts the event loop's turns while `run` runs. */
  async function turnsDuring(run: () => Promise<unknown>): Promise<number> {
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    await run();
    running = false;
    return turns;
  }

  it("never yields while the clock stays inside the slice", async () => {
    vi.spyOn(performance, "now").mockReturnValue(1_000_000);
    const draft = base({ paths: 5 });
    expect(await turnsDuring(() => simulateRetirementInSlices(draft, 1_000))).toBe(0);
  });

  it("yields after every year once a slice is used up, even a slice of 0 ms on a clock that stands still", async () => {
    vi.spyOn(performance, "now").mockReturnValue(1_000_000);
    const draft = base({ paths: 5 });
    let projection: unknown;
    const turns = await turnsDuring(async () => {
      projection = await simulateRetirementInSlices(draft, 0);
    });
    expect(turns).toBeGreaterThanOrEqual(95 - 55);
    expect(projection).toEqual(simulateRetirement(draft));
  });
});

describe("cents", () => {
  it("rounds half away from zero despite binary fractions", () => {
    expect(cents(2.675)).toBe(2.68);
    expect(cents(1.005)).toBe(1.01);
    expect(cents(1.004)).toBe(1);
    expect(cents(0)).toBe(0);
    expect(cents(123_456.785)).toBe(123_456.79);
  });
});
