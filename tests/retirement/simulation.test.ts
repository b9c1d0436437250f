import { describe, expect, it } from "vitest";
import { ASSET_CLASSES } from "../../lib/portfolio/types.js";
import { createRandom } from "../../lib/random/random.js";
import {
  AssumptionError,
  cholesky,
  DEFAULT_ASSET_ASSUMPTIONS,
  DEFAULT_CORRELATIONS,
  marketAssumptions,
  portfolioMoments,
} from "../../lib/retirement/assumptions.js";
import { closedFormSustainableIncome, closedFormValue } from "../../lib/retirement/closed-form.js";
import { horizonFor, type RetirementInputDraft, RetirementInputError } from "../../lib/retirement/input.js";
import { cents, percentilesOf, simulateRetirement } from "../../lib/retirement/simulation.js";

const ZERO_VOLATILITY = {
  returns: Object.fromEntries(ASSET_CLASSES.map((c) => [c, { volatility: 0 }])),
  inflation: { volatility: 0 },
};

/** Saver with everything the model has: fees, growing contributions, linked and fixed income, taxes. */
const FULL: RetirementInputDraft = {
  current_value: 250_000,
  weights: { equity: 0.55, fixed_income: 0.3, real_estate: 0.05, cash: 0.1 },
  current_age: 45,
  retirement_age: 63,
  target_income: 70_000,
  annual_contribution: 15_000,
  contribution_growth: 0.01,
  income: [
    { name: "Social Security", annual_amount: 24_000, start_age: 67 },
    { name: "Pension", annual_amount: 8_000, start_age: 63, inflation_linked: false },
  ],
  fee_rate: 0.002,
  tax: { rate: 0.22, deferred_share: 0.6 },
  paths: 100,
};

/** Straight from the definitions, year by year, independent of closed-form.ts. */
function oracle(d: typeof FULL, realReturn: number, inflation: number, year: number): number {
  let value = d.current_value;
  const retirementYear = d.retirement_age - d.current_age;
  for (let t = 1; t <= year; t++) {
    if (t > retirementYear) {
      const age = d.current_age + t - 1;
      const income = (d.income ?? []).reduce((sum, s) => {
        const startYear = Math.max(1, s.start_age - d.current_age + 1);
        if (age < s.start_age) return sum;
        return (
          sum + (s.inflation_linked === false ? s.annual_amount / (1 + inflation) ** (t - startYear) : s.annual_amount)
        );
      }, 0);
      value -= Math.max(0, d.target_income - income) / (1 - (d.tax?.rate ?? 0) * (d.tax?.deferred_share ?? 0));
      if (value < 0) return 0;
    }
    value *= 1 + realReturn;
    if (t <= retirementYear) value += (d.annual_contribution ?? 0) * (1 + (d.contribution_growth ?? 0)) ** (t - 1);
  }
  return value;
}

describe("zero volatility equals the closed form", () => {
  const zero = { ...FULL, assumptions: ZERO_VOLATILITY };
  const realReturn = portfolioMoments(
    { equity: 0.55, fixed_income: 0.3, real_estate: 0.05, commodities: 0, cash: 0.1, alternatives: 0 },
    marketAssumptions(),
    0.002,
  ).mean;

  it("in real terms, with fees, growing contributions, Social Security, a fixed pension and taxes", () => {
    const outlook = simulateRetirement(zero);
    expect(outlook.projections).toHaveLength(95 - 45 + 1);
    for (const row of outlook.projections) {
      const expected = oracle(FULL, realReturn, 0.03, row.year);
      expect(Math.abs(closedFormValue(zero, row.year) - expected), `year ${row.year}`).toBeLessThan(
        1e-6 * Math.max(1, expected),
      );
      for (const key of ["p10", "p50", "p90", "expected"] as const)
        expect(row[key], `${key} in year ${row.year}`).toBeCloseTo(cents(expected), 1);
    }
  });

  it("pays the closed-form sustainable income in full and fails a cent above it", () => {
    const sustainable = closedFormSustainableIncome(zero)!;
    expect(sustainable).toBeGreaterThan(0);
    expect(simulateRetirement({ ...zero, target_income: sustainable - 0.01, paths: 10 }).success_rate).toBe(100);
    expect(simulateRetirement({ ...zero, target_income: sustainable + 0.01, paths: 10 }).success_rate).toBe(0);
  });
});

describe("simulation", () => {
  it("is reproducible for a seed and differs for another", () => {
    const first = simulateRetirement(FULL);
    expect(simulateRetirement(FULL)).toEqual(first);
    expect(simulateRetirement({ ...FULL, seed: 43 }).projections[10].p50).not.toBe(first.projections[10].p50);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first);
  });

  it("more Social Security never lowers success; taxes and fees never raise it", () => {
    const base = simulateRetirement(FULL).success_rate;
    expect(
      simulateRetirement({ ...FULL, income: [{ name: "SS", annual_amount: 40_000, start_age: 67 }] }).success_rate,
    ).toBeGreaterThanOrEqual(base);
    expect(simulateRetirement({ ...FULL, tax: { rate: 0, deferred_share: 0 } }).success_rate).toBeGreaterThanOrEqual(
      base,
    );
    expect(simulateRetirement({ ...FULL, fee_rate: 0.02 }).success_rate).toBeLessThanOrEqual(base);
  });

  it("reports the first-year withdrawal net of income and grossed up for tax", () => {
    const outlook = simulateRetirement(FULL);
    const first = outlook.projections[63 - 45 + 1];
    expect(first.income).toBe(8_000);
    expect(first.withdrawal).toBe(cents((70_000 - 8_000) / (1 - 0.22 * 0.6)));
    expect(outlook.projections[20].income).toBe(cents(8_000 / 1.03));
    expect(outlook.projections[18].withdrawal).toBe(0);
  });
});

describe("assumptions", () => {
  it("the default correlation matrix is positive definite and its Cholesky factor reproduces it", () => {
    const lower = cholesky(DEFAULT_CORRELATIONS);
    for (const [i, row] of DEFAULT_CORRELATIONS.entries()) {
      for (const [j, value] of row.entries()) {
        expect(lower[i].reduce((sum, l, k) => sum + l * lower[j][k], 0)).toBeCloseTo(value, 12);
      }
    }
  });

  it("rejects an impossible correlation matrix, naming the problem", () => {
    const bad = DEFAULT_CORRELATIONS.map((row) => [...row]);
    bad[0][1] = bad[1][0] = 0.99;
    bad[0][2] = bad[2][0] = -0.99;
    bad[1][2] = bad[2][1] = 0.99;
    expect(() => marketAssumptions({ correlations: bad })).toThrow(AssumptionError);
    const asymmetric = DEFAULT_CORRELATIONS.map((row) => [...row]);
    asymmetric[0][1] = 0.3;
    expect(() => marketAssumptions({ correlations: asymmetric })).toThrow(/symmetric: equity\/fixed_income/);
  });

  it("applies overrides and records them as such", () => {
    const a = marketAssumptions({ returns: { equity: { mean: 0.05 } } });
    expect(a.returns.equity).toMatchObject({
      mean: 0.05,
      volatility: DEFAULT_ASSET_ASSUMPTIONS.equity.volatility,
      source: "user override",
    });
    expect(a.returns.fixed_income.source).toMatch(/Damodaran/);
  });
});

describe("input", () => {
  it("extends the horizon past 95 for a late retirement or an old user, and refuses past 120", () => {
    expect(horizonFor(40, 65)).toBe(95);
    expect(horizonFor(90, 100)).toBe(105);
    expect(horizonFor(97, 97)).toBe(102);
    expect(() => horizonFor(110, 118)).toThrow(/retiring at 118/);
  });

  const invalid: Array<[string, Partial<RetirementInputDraft>, RegExp]> = [
    ["a fractional age", { current_age: 40.5 }, /current_age: must be a whole number/],
    ["retirement beyond the horizon", { retirement_age: 96 }, /retirement_age: 96 is beyond horizon_age 95/],
    ["retirement before today", { retirement_age: 40 }, /retirement_age: 40 is before current_age 45/],
    ["weights that do not sum to 1", { weights: { equity: 0.6 } }, /weights: must add up to 1/],
    ["a negative income", { income: [{ name: "SS", annual_amount: -1, start_age: 67 }] }, /income.0.annual_amount/],
    [
      "an unknown asset class override",
      { assumptions: { returns: { bonds: { mean: 0.02 } } } as never },
      /assumptions.returns/,
    ],
  ];
  it.each(invalid)("rejects %s", (_, change, message) => {
    const run = () => simulateRetirement({ ...FULL, ...change });
    expect(run).toThrow(RetirementInputError);
    expect(run).toThrow(message);
  });
});

describe("building blocks", () => {
  it("nearest-rank percentiles by quickselect match a full sort", () => {
    const random = createRandom(7);
    for (const n of [1, 2, 9, 10, 101, 5_000]) {
      const values = Float64Array.from({ length: n }, () => Math.round(random.normal() * 5) + 0);
      const sorted = [...values].sort((a, b) => a - b);
      const expected = [10, 25, 50, 75, 90].map((p) => sorted[Math.max(0, Math.ceil((p * n) / 100) - 1)]);
      expect(percentilesOf(values, [10, 25, 50, 75, 90])).toEqual(expected);
    }
  });

  it("generates reproducible standard normals", () => {
    const a = createRandom(123);
    const b = createRandom(123);
    const draws = Array.from({ length: 50_000 }, () => a.normal());
    expect(Array.from({ length: 50_000 }, () => b.normal())).toEqual(draws);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
  });
});
