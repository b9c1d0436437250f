import { describe, expect, it } from "vitest";
import { DEFAULT_ASSET_ASSUMPTIONS, DEFAULT_CORRELATIONS } from "../../lib/retirement/assumptions.js";
import { simulateRetirement } from "../../lib/retirement/simulation.js";
import { FOUR_PERCENT_RULE } from "../../scripts/bench-cases.js";

// Statistical checks of the Monte Carlo over many paths. They are left out of mutation runs
// (vitest.mutation.config.ts): thousands of paths make every mutant slow, and the exact figures are asserted path by
// path in simulation-figures.test.ts.

describe("calibration", () => {
  it("the 4% rule ($1M 60/40 SPY/AGG, $40,000 a year for 30 years from 65) succeeds in 85–97% of paths", () => {
    const outlook = simulateRetirement(FOUR_PERCENT_RULE);
    expect(outlook.success_rate).toBeGreaterThanOrEqual(85);
    expect(outlook.success_rate).toBeLessThanOrEqual(97);
    expect(outlook.years_lasted.retirement_years).toBe(30);
  });

  it("a 6% withdrawal fails more often than 4%, and 3% less often", () => {
    const rate = (target: number) =>
      simulateRetirement({ ...FOUR_PERCENT_RULE, target_income: target, paths: 4_000 }).success_rate;
    const [three, four, six] = [30_000, 40_000, 60_000].map(rate);
    expect(three).toBeGreaterThan(four);
    expect(six).toBeLessThan(four - 20);
  });
});

describe("the portfolio's spread", () => {
  it("draws a rebalanced portfolio with σ = √(wᵀΣw) from the correlation matrix", () => {
    const weights = { equity: 0.6, fixed_income: 0.4 };
    const oneYear = simulateRetirement({
      current_value: 1_000_000,
      weights,
      current_age: 94,
      retirement_age: 95,
      horizon_age: 95,
      target_income: 0,
      paths: 20_000,
    });
    const [se, sb] = [DEFAULT_ASSET_ASSUMPTIONS.equity.volatility, DEFAULT_ASSET_ASSUMPTIONS.fixed_income.volatility];
    const sigma = Math.sqrt((0.6 * se) ** 2 + (0.4 * sb) ** 2 + 2 * 0.6 * 0.4 * DEFAULT_CORRELATIONS[0][1] * se * sb);
    const { p10, p90 } = oneYear.projections[1];
    expect((p90 - p10) / (2 * 1.2816 * 1_000_000)).toBeCloseTo(sigma, 2);
    expect(oneYear.assumptions.portfolio_return.volatility).toBeCloseTo(sigma, 4);
  });
});
