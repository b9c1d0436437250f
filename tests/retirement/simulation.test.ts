import { describe, expect, it } from "vitest";
import { ASSET_CLASSES } from "../../lib/portfolio/types.js";
import { cents, type Valuation } from "../../lib/portfolio/valuation.js";
import {
  DEFAULT_RETURNS,
  RetirementInputError,
  assetWeights,
  closedFormSustainableIncome,
  closedFormValue,
  percentilesOf,
  retirementInputsFromValuation,
  simulateRetirement,
  type RetirementInputDraft,
  type ReturnTable,
} from "../../lib/retirement/monte-carlo.js";
import { createRandom, seedFromText } from "../../lib/retirement/random.js";

const DEMO_VALUATION: Pick<Valuation, "total_value" | "allocation"> = {
  total_value: 99_437.5,
  allocation: { asset_class: { equity: 71_545, fixed_income: 14_500, cash: 8_500, commodities: 4_892.5 }, region: {}, sector: {} },
};

const DEMO: RetirementInputDraft = {
  ...retirementInputsFromValuation(DEMO_VALUATION, { current_age: 40, years_until_retirement: 25, target_retirement_income: 100_000 }),
  seed: 42,
};

const ZERO_VOLATILITY = Object.fromEntries(
  ASSET_CLASSES.map((c) => [c, { mean: DEFAULT_RETURNS[c].mean, volatility: 0 }]),
) as ReturnTable;

const PERCENTILE_KEYS = ["p10", "p25", "p50", "p75", "p90"] as const;
/** Reported cents are the exact value rounded; the allowance covers float noise at a half-cent tie. */
const HALF_CENT = 0.005 + 1e-7;

/** Straight from the formulas, independent of the engine's closed form. */
function oracleValue(v0: number, c: number, r: number, target: number, inflation: number, retireYear: number, year: number) {
  const saved = Math.min(year, retireYear);
  const atRetirement = v0 * (1 + r) ** saved + (r === 0 ? c * saved : (c * ((1 + r) ** saved - 1)) / r);
  let value = atRetirement * (1 + r) ** Math.max(0, year - retireYear);
  for (let t = retireYear + 1; t <= year; t++) value -= target * (1 + inflation) ** t * (1 + r) ** (year - t);
  return Math.max(0, value);
}

/** Every number in a JSON-like value (null counts as NaN: JSON turns NaN into null). */
function numbersIn(value: unknown): number[] {
  if (value === null) return [Number.NaN];
  if (typeof value === "number") return [value];
  if (typeof value === "object") return Object.values(value).flatMap(numbersIn);
  return [];
}

const weightedMean = (weights: Partial<Record<(typeof ASSET_CLASSES)[number], number>>) =>
  Object.entries(weights).reduce((sum, [c, w]) => sum + (w ?? 0) * DEFAULT_RETURNS[c as keyof typeof DEFAULT_RETURNS].mean, 0);

describe("zero volatility equals the closed form", () => {
  const cases: Array<{ label: string; draft: RetirementInputDraft }> = [
    { label: "demo mix, age 40 → 65", draft: { ...DEMO, target_income: 40_000 } },
    { label: "equity and cash, age 30 → 60", draft: { current_value: 250_000, weights: { equity: 0.6, cash: 0.4 }, current_age: 30, retirement_age: 60, target_income: 30_000, annual_contribution: 12_000 } },
    { label: "return equals inflation (3%)", draft: { current_value: 500_000, weights: { fixed_income: 0.5, cash: 0.5 }, current_age: 55, retirement_age: 67, target_income: 20_000 } },
    { label: "all-zero weights (r = 0)", draft: { current_value: 80_000, weights: {}, current_age: 50, retirement_age: 62, target_income: 9_000 } },
    { label: "retiring today", draft: { current_value: 2_000_000, weights: { equity: 0.5, fixed_income: 0.5 }, current_age: 70, retirement_age: 70, target_income: 60_000 } },
    { label: "depletes before the horizon", draft: { current_value: 100_000, weights: { equity: 1 }, current_age: 45, retirement_age: 65, target_income: 90_000 } },
  ];

  it.each(cases)("every percentile of every year: $label", ({ draft }) => {
    const zeroVol = { ...draft, returns: ZERO_VOLATILITY, paths: 200 };
    const outlook = simulateRetirement(zeroVol);
    const r = weightedMean(draft.weights ?? {});
    const retireYear = draft.retirement_age - draft.current_age;
    for (const row of outlook.projections) {
      const closed = closedFormValue(zeroVol, row.year);
      const oracle = oracleValue(draft.current_value, draft.annual_contribution ?? 10_000, r, draft.target_income, 0.03, retireYear, row.year);
      expect(closed).toBeCloseTo(oracle, 4);
      for (const key of PERCENTILE_KEYS) expect(Math.abs(row[key] - closed), `${key} at age ${row.age}`).toBeLessThanOrEqual(HALF_CENT);
      expect(row.expected).toBe(cents(closed));
    }
    expect(Math.abs(outlook.value_at_retirement.p50 - closedFormValue(zeroVol, retireYear))).toBeLessThanOrEqual(HALF_CENT);
  });

  it("reproduces the original's deterministic value at retirement", () => {
    const spyAndCash = { current_value: 55_000, weights: { equity: 45_000 / 55_000, cash: 10_000 / 55_000 }, current_age: 40, retirement_age: 65, target_income: 100_000 };
    expect(simulateRetirement({ ...spyAndCash, paths: 100 }).value_at_retirement.expected).toBe(796_887.35);
    const empty = { current_value: 0, weights: {}, current_age: 40, retirement_age: 60, target_income: 60_000, paths: 100 };
    expect(simulateRetirement(empty).value_at_retirement.expected).toBe(200_000);
  });

  it("the expected value ignores volatility", () => {
    const withVolatility = simulateRetirement({ ...DEMO, paths: 500 });
    const without = simulateRetirement({ ...DEMO, paths: 500, returns: ZERO_VOLATILITY });
    const expected = withVolatility.projections.map((r) => r.expected);
    expect(expected).toEqual(without.projections.map((r) => r.expected));
    without.projections.forEach((row, year) => expect(Math.abs(row.p50 - expected[year])).toBeLessThanOrEqual(0.01));
    expect(expected[25]).toBeGreaterThan(withVolatility.projections[25].p50);
  });

  it("succeeds just below the sustainable income and fails just above it, to the cent", () => {
    const zeroVol = { ...DEMO, returns: ZERO_VOLATILITY, paths: 100 };
    const sustainable = closedFormSustainableIncome(zeroVol)!;
    expect(sustainable).toBeGreaterThan(1_000);

    const below = simulateRetirement({ ...zeroVol, target_income: sustainable - 0.01 });
    expect(below.success_rate).toBe(100);
    expect(below.depletion_age.p10).toBeNull();
    expect(below.years_lasted.p10).toBe(30);

    const above = simulateRetirement({ ...zeroVol, target_income: sustainable + 0.01 });
    expect(above.success_rate).toBe(0);
    expect(above.depletion_age.p50).toBe(95);
    expect(above.years_lasted.mean).toBe(29);
    expect(above.sustainable_income_today).toBe(cents(sustainable));
  });

  it("sustainable income matches a hand calculation", () => {
    // $300,000 earning 0% with 0% inflation pays $10,000 a year for 30 years.
    const plain = { current_value: 300_000, weights: {}, current_age: 65, retirement_age: 65, target_income: 1, inflation: 0 };
    expect(closedFormSustainableIncome(plain)).toBeCloseTo(10_000, 6);
    expect(closedFormSustainableIncome({ ...plain, current_age: 95, retirement_age: 95 })).toBeNull();
  });
});

describe("seeded simulation", () => {
  it("gives identical results for the same seed and different ones for another seed", () => {
    const first = simulateRetirement(DEMO);
    expect(simulateRetirement(DEMO)).toEqual(first);
    const other = simulateRetirement({ ...DEMO, seed: 43 });
    expect(other.value_at_retirement.p50).not.toBe(first.value_at_retirement.p50);
    expect(other.projections).not.toEqual(first.projections);
  });

  it("keeps percentiles ordered in every year", () => {
    const outlook = simulateRetirement({ ...DEMO, target_income: 45_000 });
    for (const row of outlook.projections) {
      expect(row.p10).toBeLessThanOrEqual(row.p25);
      expect(row.p25).toBeLessThanOrEqual(row.p50);
      expect(row.p50).toBeLessThanOrEqual(row.p75);
      expect(row.p75).toBeLessThanOrEqual(row.p90);
    }
    const spread = outlook.projections.find((r) => r.age === 65)!;
    expect(spread.p90).toBeGreaterThan(spread.p10 * 1.5);
  });

  it("never lowers the success rate or any percentile when there is more money (each path keeps its returns)", () => {
    const rates = [50_000, 100_000, 200_000, 400_000, 800_000].map(
      (current_value) => simulateRetirement({ ...DEMO, current_value, target_income: 60_000 }).success_rate,
    );
    expect(rates).toEqual([...rates].sort((a, b) => a - b));
    expect(rates[rates.length - 1]).toBeGreaterThan(rates[0]);
    const poorer = simulateRetirement({ ...DEMO, target_income: 60_000 });
    const richer = simulateRetirement({ ...DEMO, target_income: 60_000, current_value: DEMO.current_value + 1_000 });
    richer.projections.forEach((row, year) => {
      for (const key of PERCENTILE_KEYS) expect(row[key], `${key} in year ${year}`).toBeGreaterThanOrEqual(poorer.projections[year][key]);
    });
    const moreSaving = simulateRetirement({ ...DEMO, target_income: 60_000, annual_contribution: 20_000 });
    expect(moreSaving.success_rate).toBeGreaterThanOrEqual(simulateRetirement({ ...DEMO, target_income: 60_000 }).success_rate);
  });

  it("fails a huge target and meets a tiny one", () => {
    const huge = simulateRetirement({ ...DEMO, target_income: 100_000_000 });
    expect(huge.success_rate).toBe(0);
    expect(huge.depletion_age.p90).toBe(66);
    const tiny = simulateRetirement({ ...DEMO, target_income: 1 });
    expect(tiny.success_rate).toBe(100);
    expect(tiny.years_lasted).toMatchObject({ mean: 30, p10: 30, retirement_years: 30 });
  });

  it("draws the asset classes independently: the portfolio σ is √Σ(w·σ)²", () => {
    const weights = { equity: 0.5, fixed_income: 0.3, real_estate: 0.2 };
    const oneYear = simulateRetirement({
      current_value: 1_000_000, weights, current_age: 94, retirement_age: 95, target_income: 0, annual_contribution: 0, paths: 20_000,
    });
    const sigma = Math.sqrt((0.5 * 0.18) ** 2 + (0.3 * 0.05) ** 2 + (0.2 * 0.12) ** 2);
    const { p10, p50, p90 } = oneYear.projections[1];
    expect((p90 - p10) / (2 * 1.2816 * 1_000_000)).toBeCloseTo(sigma, 2);
    expect(p50 / 1_000_000 - 1).toBeCloseTo(0.5 * 0.07 + 0.3 * 0.04 + 0.2 * 0.06, 2);
    expect(oneYear.assumptions.portfolio_return).toEqual({ mean: 0.059, volatility: Math.round(sigma * 10_000) / 10_000 });
  });
});

describe("projections", () => {
  it.each([25, 40, 64, 94, 95])("has a row per year from age %i to 95", (age) => {
    const outlook = simulateRetirement({ ...DEMO, current_age: age, retirement_age: Math.max(age, 65), paths: 100 });
    expect(outlook.projections).toHaveLength(95 - age + 1);
    expect(outlook.projections.map((r) => r.year)).toEqual(outlook.projections.map((_, i) => i));
    expect(outlook.projections[0].age).toBe(age);
    expect(outlook.projections.at(-1)!.age).toBe(95);
  });

  it("withdraws the target grown by inflation every retirement year, and nothing before", () => {
    const outlook = simulateRetirement({ ...DEMO, paths: 100 });
    for (const row of outlook.projections) {
      expect(row.phase).toBe(row.age <= 65 ? "accumulation" : "retirement");
      expect(row.withdrawal).toBe(row.age <= 65 ? 0 : cents(100_000 * 1.03 ** row.year));
    }
    const retired = outlook.projections.filter((r) => r.phase === "retirement");
    expect(retired).toHaveLength(30);
    expect(retired[0].withdrawal).toBe(cents(100_000 * 1.03 ** 26));
    for (let i = 1; i < retired.length; i++) expect(retired[i].withdrawal / retired[i - 1].withdrawal).toBeCloseTo(1.03, 6);
  });

  it("reports the safe withdrawal as 4% of the median at retirement, nominal and in today's dollars", () => {
    const outlook = simulateRetirement(DEMO);
    const median = outlook.value_at_retirement.p50;
    expect(outlook.safe_withdrawal.nominal).toBe(cents(0.04 * median));
    expect(outlook.safe_withdrawal.today).toBe(cents((0.04 * median) / 1.03 ** 25));
    expect(outlook.value_at_retirement.p50).toBe(outlook.projections[25].p50);
  });

  it("is plain JSON and carries its assumptions", () => {
    const outlook = simulateRetirement({ ...DEMO, paths: 300, returns: { commodities: { mean: 0.01, volatility: 0.2 } } });
    expect(JSON.parse(JSON.stringify(outlook))).toEqual(outlook);
    expect(outlook.assumptions).toMatchObject({
      inflation: 0.03, annual_contribution: 10_000, target_income: 100_000, current_age: 40, retirement_age: 65, horizon_age: 95, paths: 300, seed: 42,
    });
    expect(outlook.assumptions.returns.commodities).toEqual({ mean: 0.01, volatility: 0.2 });
    expect(outlook.assumptions.returns.alternatives).toEqual({ mean: 0.05, volatility: 0.1 });
    expect(outlook.assumptions.weights).toEqual({ equity: 0.7195, fixed_income: 0.1458, real_estate: 0, commodities: 0.0492, cash: 0.0855, alternatives: 0 });
  });

  it("defaults to 10,000 paths", () => {
    expect(simulateRetirement({ ...DEMO, paths: undefined }).assumptions.paths).toBe(10_000);
  });
});

describe("inputs from a valuation", () => {
  it("turns asset-class dollars into weights that sum to 1", () => {
    const weights = assetWeights(DEMO_VALUATION);
    expect(weights.equity).toBeCloseTo(71_545 / 99_437.5, 12);
    expect(weights.commodities).toBeCloseTo(4_892.5 / 99_437.5, 12);
    expect(weights.real_estate).toBe(0);
    expect(Object.values(weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("uses the user's fields and defaults the unknown ones", () => {
    expect(DEMO).toMatchObject({ current_value: 99_437.5, current_age: 40, retirement_age: 65, target_income: 100_000, annual_contribution: 10_000 });
    const unknown = retirementInputsFromValuation(DEMO_VALUATION, { current_age: null, years_until_retirement: null, target_retirement_income: null });
    expect(unknown).toMatchObject({ current_age: 40, retirement_age: 65, target_income: 80_000, annual_contribution: 10_000 });
    const late = retirementInputsFromValuation(DEMO_VALUATION, { current_age: 80, years_until_retirement: 30, annual_contribution: 0 });
    expect(late).toMatchObject({ current_age: 80, retirement_age: 95, annual_contribution: 0 });
  });

  it("projects a few years for someone already past the horizon age, instead of refusing", () => {
    const draft = retirementInputsFromValuation(DEMO_VALUATION, { current_age: 97, years_until_retirement: 0, target_retirement_income: 20_000 });
    expect(draft).toMatchObject({ current_age: 97, retirement_age: 97, horizon_age: 102 });
    const outlook = simulateRetirement({ ...draft, paths: 200 });
    expect(outlook.projections.map((p) => p.age)).toEqual([97, 98, 99, 100, 101, 102]);
  });

  it("handles an empty portfolio without NaN", () => {
    const empty = { total_value: 0, allocation: { asset_class: {}, region: {}, sector: {} } };
    expect(Object.values(assetWeights(empty))).toEqual([0, 0, 0, 0, 0, 0]);
    const outlook = simulateRetirement(retirementInputsFromValuation(empty, { current_age: 40, years_until_retirement: 20, target_retirement_income: 60_000 }));
    expect(numbersIn(outlook).every(Number.isFinite)).toBe(true);
    expect(outlook.value_at_retirement).toEqual({ p10: 200_000, p25: 200_000, p50: 200_000, p75: 200_000, p90: 200_000, expected: 200_000 });
    expect(outlook.success_rate).toBe(0);
    expect(outlook.assumptions.portfolio_return).toEqual({ mean: 0, volatility: 0 });
  });
});

describe("input validation", () => {
  const invalid: Array<[string, Partial<RetirementInputDraft>, RegExp]> = [
    ["a negative age", { current_age: -1 }, /current_age: must not be negative/],
    ["a fractional age", { current_age: 40.5 }, /current_age: must be a whole number/],
    ["retirement beyond 95", { retirement_age: 96 }, /retirement_age: 96 is beyond horizon_age 95/],
    ["retirement before today", { current_age: 50, retirement_age: 45 }, /retirement_age: 45 is before current_age 50/],
    ["an age beyond the horizon", { current_age: 97, retirement_age: 97 }, /current_age: 97 is beyond horizon_age 95/],
    ["a negative target", { target_income: -5 }, /target_income: must not be negative/],
    ["weights that do not sum to 1", { weights: { equity: 0.6 } }, /weights: must add up to 1 \(they add up to 0.6\)/],
    ["an unknown asset class", { weights: { bonds: 1 } as never }, /weights.*bonds/],
    ["a negative volatility", { returns: { equity: { mean: 0.07, volatility: -0.1 } } }, /returns.equity.volatility: must not be negative/],
    ["zero paths", { paths: 0 }, /paths/],
  ];

  it.each(invalid)("rejects %s", (_, change, message) => {
    const run = () => simulateRetirement({ ...DEMO, ...change });
    expect(run).toThrow(RetirementInputError);
    expect(run).toThrow(message);
  });

  it("rejects a missing field", () => {
    const { target_income: _, ...withoutTarget } = DEMO;
    expect(() => simulateRetirement(withoutTarget as RetirementInputDraft)).toThrow(/target_income/);
  });
});

describe("building blocks", () => {
  it("nearest-rank percentiles by quickselect match a full sort", () => {
    const random = createRandom(7);
    for (const n of [1, 2, 9, 10, 101, 5_000]) {
      const values = Float64Array.from({ length: n }, () => Math.round(random.normal() * 5) + 0); // many ties; + 0 turns -0 into 0
      const sorted = [...values].sort((a, b) => a - b);
      const expected = [10, 25, 50, 75, 90].map((p) => sorted[Math.max(0, Math.ceil((p * n) / 100) - 1)]);
      expect(percentilesOf(values, [10, 25, 50, 75, 90])).toEqual(expected);
    }
    expect(percentilesOf(new Float64Array(1_000).fill(3), [10, 90])).toEqual([3, 3]);
  });

  it("generates uniform and standard normal numbers reproducibly", () => {
    const a = createRandom(123);
    const b = createRandom(123);
    const draws = Array.from({ length: 50_000 }, () => a.normal());
    expect(Array.from({ length: 50_000 }, () => b.normal())).toEqual(draws);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(sd - 1)).toBeLessThan(0.02);
    const uniforms = Array.from({ length: 10_000 }, () => a.uniform());
    expect(Math.min(...uniforms)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...uniforms)).toBeLessThan(1);
    expect(createRandom(124).uniform()).not.toBe(createRandom(123).uniform());
  });

  it("derives a stable seed from text", () => {
    expect(seedFromText("job-1")).toBe(seedFromText("job-1"));
    expect(seedFromText("job-1")).not.toBe(seedFromText("job-2"));
    expect(Number.isInteger(seedFromText("job-1"))).toBe(true);
    expect(seedFromText("")).toBe(0x811c9dc5);
  });
});
