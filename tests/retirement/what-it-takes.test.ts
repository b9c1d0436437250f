import { describe, expect, it } from "vitest";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import { parseRetirementInput, type RetirementInputDraft } from "../../lib/retirement/input.js";
import { projectPortfolio } from "../../lib/retirement/outlook.js";
import { simulateRetirement } from "../../lib/retirement/simulation.js";
import { solverSuccessRate, whatItTakes } from "../../lib/retirement/what-it-takes.js";
import { PERSONAS } from "./personas.js";

/** A 40-year-old with $50,000, no contributions, $70,000 a year from 65 with Social Security at 67 and a fixed pension. */
const OFF_TRACK_SAVER: RetirementInputDraft = {
  current_value: 50_000,
  weights: { equity: 0.6, fixed_income: 0.4 },
  current_age: 40,
  retirement_age: 65,
  target_income: 70_000,
  annual_contribution: 0,
  income: [
    { name: "Social Security", annual_amount: 20_000, start_age: 67 },
    { name: "Pension", annual_amount: 8_000, start_age: 65, inflation_linked: false },
  ],
  paths: 3_000,
  seed: 7,
};

const RETIREE: RetirementInputDraft = {
  current_value: 800_000,
  weights: { equity: 0.5, fixed_income: 0.5 },
  current_age: 70,
  retirement_age: 70,
  target_income: 60_000,
  paths: 3_000,
  seed: 11,
};

const successOf = (draft: RetirementInputDraft) => simulateRetirement(draft).success_rate;
const solve = (draft: RetirementInputDraft, target?: number) => whatItTakes(parseRetirementInput(draft), target);

describe("what it takes", () => {
  const saver = solve(OFF_TRACK_SAVER);

  it("is below the target for the off-track saver, and names every lever", () => {
    expect(successOf(OFF_TRACK_SAVER)).toBeLessThan(10);
    expect(saver.reached).toBe(false);
    expect(saver.target_success).toBe(85);
    expect(saver.contribution_per_year).toBeGreaterThan(0);
    expect(saver.spending_per_year).toBeGreaterThan(0);
    expect(saver.spending_per_year).toBeLessThan(70_000);
    expect(saver.spending_per_year_at_50).toBeNull();
  });

  it("fed back as the contribution, lands on the target (±1 point), and a dollar less misses it", () => {
    const c = saver.contribution_per_year!;
    const rate = successOf({ ...OFF_TRACK_SAVER, annual_contribution: c });
    expect(rate).toBeGreaterThanOrEqual(85);
    expect(rate).toBeLessThanOrEqual(86);
    expect(successOf({ ...OFF_TRACK_SAVER, annual_contribution: c - 20 })).toBeLessThan(85);
  });

  it("fed back as the spending target, lands on the target (±1 point)", () => {
    const s = saver.spending_per_year!;
    const rate = successOf({ ...OFF_TRACK_SAVER, target_income: s });
    expect(rate).toBeGreaterThanOrEqual(85);
    expect(rate).toBeLessThanOrEqual(86);
    expect(successOf({ ...OFF_TRACK_SAVER, target_income: s + 50 })).toBeLessThan(85);
  });

  it("finds the earliest retirement age up to 75, or none", () => {
    const closer = { ...OFF_TRACK_SAVER, current_value: 150_000, annual_contribution: 8_000 };
    const levers = solve(closer);
    expect(levers.retirement_age).not.toBeNull();
    expect(successOf({ ...closer, retirement_age: levers.retirement_age! })).toBeGreaterThanOrEqual(85);
    expect(successOf({ ...closer, retirement_age: levers.retirement_age! - 1 })).toBeLessThan(85);
    expect(saver.retirement_age).toBeNull(); // nothing saved: retiring at 75 is not enough
    expect(successOf({ ...OFF_TRACK_SAVER, retirement_age: 75 })).toBeLessThan(85);
  });

  it("follows a configured target", () => {
    const at70 = solve(OFF_TRACK_SAVER, 70);
    expect(at70.target_success).toBe(70);
    expect(at70.contribution_per_year!).toBeLessThan(saver.contribution_per_year!);
    expect(successOf({ ...OFF_TRACK_SAVER, annual_contribution: at70.contribution_per_year! })).toBeGreaterThanOrEqual(
      70,
    );
  });

  it("gives a retiree spending at the target and at 50%, and no saving levers", () => {
    const levers = solve(RETIREE);
    expect(levers.contribution_per_year).toBeNull();
    expect(levers.retirement_age).toBeNull();
    const at85 = successOf({ ...RETIREE, target_income: levers.spending_per_year! });
    const at50 = successOf({ ...RETIREE, target_income: levers.spending_per_year_at_50! });
    expect(at85).toBeGreaterThanOrEqual(85);
    expect(at85).toBeLessThanOrEqual(86);
    expect(at50).toBeGreaterThanOrEqual(50);
    expect(at50).toBeLessThanOrEqual(51);
    expect(levers.spending_per_year_at_50!).toBeGreaterThan(levers.spending_per_year!);
  });

  it("for a plan already on track, needs no lever and gives the most spending it supports", () => {
    const rich = { ...RETIREE, current_value: 3_000_000 };
    const levers = solve(rich);
    expect(levers.reached).toBe(true);
    expect(levers.contribution_per_year).toBeNull();
    expect(levers.spending_per_year!).toBeGreaterThan(60_000);
    expect(successOf({ ...rich, target_income: levers.spending_per_year! })).toBeGreaterThanOrEqual(85);
  });

  it("uses the run's own draws: the solver's success rate is the simulation's", () => {
    const cases = [
      OFF_TRACK_SAVER,
      RETIREE,
      { ...OFF_TRACK_SAVER, annual_contribution: 15_000, current_value: 200_000 },
    ];
    for (const draft of cases) {
      expect(solverSuccessRate(parseRetirementInput(draft))).toBe(successOf(draft));
    }
  });
});

describe("what it takes, through the portfolio file's own fields", () => {
  const saver = PERSONAS["off-track saver, no contributions"];
  const project = (p: Portfolio) => projectPortfolio(p, valuePortfolio(p), { paths: 2_000 }).outlook;
  const withUser = (changes: Partial<Portfolio["user"]>): Portfolio => ({
    ...saver,
    user: { ...saver.user, ...changes },
  });
  const levers = project(saver).what_it_takes!;

  it("re-running with contribution_per_year as annual_contribution gives the target ±1 point", () => {
    expect(project(saver).success_rate).toBeLessThan(5);
    const rate = project(withUser({ annual_contribution: levers.contribution_per_year })).success_rate;
    expect(rate).toBeGreaterThanOrEqual(85);
    expect(rate).toBeLessThanOrEqual(86);
  });

  it("re-running with spending_per_year as target_retirement_income gives the target ±1 point", () => {
    const rate = project(withUser({ target_retirement_income: levers.spending_per_year })).success_rate;
    expect(rate).toBeGreaterThanOrEqual(85);
    expect(rate).toBeLessThanOrEqual(86);
  });

  it("a plan's own target_success is the target", () => {
    const at70 = project({ ...saver, user: { ...saver.user, retirement_plan: { target_success: 70 } } });
    expect(at70.what_it_takes!.target_success).toBe(70);
    expect(at70.what_it_takes!.contribution_per_year!).toBeLessThan(levers.contribution_per_year!);
  });
});
