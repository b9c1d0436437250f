import { describe, expect, it } from "vitest";
import type { RetirementInputDraft } from "../../lib/retirement/input.js";
import { simulateRetirement, simulateRetirementInSlices } from "../../lib/retirement/simulation.js";

/** A saver with a fixed pension, so inflation is drawn too (correlated with returns through the Cholesky factor). */
const SAVER: RetirementInputDraft = {
  current_value: 100_000,
  weights: { equity: 0.7, fixed_income: 0.2, cash: 0.1 },
  current_age: 35,
  retirement_age: 65,
  target_income: 60_000,
  annual_contribution: 10_000,
  income: [{ name: "Pension", annual_amount: 10_000, start_age: 65, inflation_linked: false }],
  paths: 100,
  seed: 42,
};

describe("the Monte Carlo in slices", () => {
  it("gives the very projection the one-piece run gives, for the same seed", async () => {
    expect(await simulateRetirementInSlices(SAVER, 0)).toEqual(simulateRetirement(SAVER));
    expect(await simulateRetirementInSlices({ ...SAVER, seed: 7 })).toEqual(simulateRetirement({ ...SAVER, seed: 7 }));
  });

  it("lets the event loop run between simulated years", async () => {
    let turns = 0;
    let running = true;
    const tick = () => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const projection = await simulateRetirementInSlices(SAVER, 0);
    running = false;
    // A slice of 0 ms yields after every year: 60 years leave the loop at least one turn per year.
    expect(projection.projections).toHaveLength(61);
    expect(turns).toBeGreaterThanOrEqual(60);
  });

  it("fails on bad input as the one-piece run does", async () => {
    await expect(simulateRetirementInSlices({ ...SAVER, paths: 0 })).rejects.toThrow(/paths/);
  });
});
