import { describe, expect, it } from "vitest";
import { closedFormSustainableIncome, closedFormValue } from "../../lib/retirement/closed-form.js";
import type { RetirementInputDraft } from "../../lib/retirement/input.js";

// A portfolio with no asset weights earns a real return of exactly 0 (less fees), so the figures can be worked out
// by hand: $100,000 paying $X a year lasts 100,000 / X years.
const RETIREE: RetirementInputDraft = {
  current_value: 100_000,
  current_age: 65,
  retirement_age: 65,
  horizon_age: 95,
  target_income: 20_000,
};

/** Weights all in cash, with cash earning `mean` a year in real terms and no volatility. */
const cashEarning = (mean: number): Partial<RetirementInputDraft> => ({
  weights: { cash: 1 },
  assumptions: { returns: { cash: { mean, volatility: 0 } }, inflation: { volatility: 0 } },
});

describe("the closed-form value", () => {
  it("spends down at a zero return and stays at 0 once the money has run out", () => {
    expect(closedFormValue(RETIREE, 0)).toBe(100_000);
    expect(closedFormValue(RETIREE, 3)).toBe(40_000);
    expect(closedFormValue(RETIREE, 5)).toBe(0);
    expect(closedFormValue(RETIREE, 6)).toBe(0);
    expect(closedFormValue(RETIREE, 30)).toBe(0);
  });

  it("compounds contributions made at the end of each saving year", () => {
    const saver = { ...RETIREE, current_age: 60, annual_contribution: 10_000, ...cashEarning(0.02) };
    expect(closedFormValue(saver, 2)).toBeCloseTo(100_000 * 1.02 ** 2 + 10_000 * 1.02 + 10_000, 6);
    expect(closedFormValue(saver, 5)).toBeCloseTo(
      100_000 * 1.02 ** 5 + [4, 3, 2, 1, 0].reduce((sum, n) => sum + 10_000 * 1.02 ** n, 0),
      6,
    );
  });

  it("takes each withdrawal at the start of the year, before it earns", () => {
    const retiree = { ...RETIREE, target_income: 10_000, ...cashEarning(0.02) };
    expect(closedFormValue(retiree, 1)).toBeCloseTo((100_000 - 10_000) * 1.02, 6);
    expect(closedFormValue(retiree, 2)).toBeCloseTo(100_000 * 1.02 ** 2 - 10_000 * 1.02 ** 2 - 10_000 * 1.02, 6);
  });

  it("counts a pension only from its start age", () => {
    const pension = { ...RETIREE, income: [{ name: "Pension", annual_amount: 10_000, start_age: 68 }] };
    expect(closedFormValue(pension, 3)).toBe(40_000);
    expect(closedFormValue(pension, 4)).toBe(30_000);
    expect(closedFormValue(pension, 7)).toBe(0);
  });

  it.each([-1, 1.5, 31])("refuses year %d, naming the range", (year) => {
    expect(() => closedFormValue(RETIREE, year)).toThrow(RangeError);
    expect(() => closedFormValue(RETIREE, year)).toThrow(`year ${year} is outside 0..30`);
  });
});

describe("sustainable spending", () => {
  it("spreads the money over the retirement years at a zero return, whatever the target", () => {
    expect(closedFormSustainableIncome(RETIREE)).toBeCloseTo(100_000 / 30, 2);
    expect(closedFormSustainableIncome({ ...RETIREE, target_income: 0 })).toBeCloseTo(100_000 / 30, 2);
    expect(closedFormSustainableIncome({ ...RETIREE, target_income: 1_000_000 })).toBeCloseTo(100_000 / 30, 2);
  });

  it("adds Social Security, counted only from its start age", () => {
    const fromToday = { ...RETIREE, income: [{ name: "SS", annual_amount: 10_000, start_age: 65 }] };
    expect(closedFormSustainableIncome(fromToday)).toBeCloseTo(100_000 / 30 + 10_000, 2);
    // Five years without it, twenty-five with it: 30 S − 25 × 10,000 = 100,000.
    const late = { ...RETIREE, income: [{ name: "SS", annual_amount: 10_000, start_age: 70 }] };
    expect(closedFormSustainableIncome(late)).toBeCloseTo(350_000 / 30, 2);
  });

  it("is after tax on tax-deferred withdrawals", () => {
    const taxed = { ...RETIREE, tax: { rate: 0.25, deferred_share: 1 } };
    expect(closedFormSustainableIncome(taxed)).toBeCloseTo((100_000 / 30) * 0.75, 2);
  });

  it("counts the savings still to come and the return they earn", () => {
    const saver = { ...RETIREE, current_age: 55, annual_contribution: 10_000 };
    expect(closedFormSustainableIncome(saver)).toBeCloseTo(200_000 / 30, 2);
    const earning = { ...RETIREE, ...cashEarning(0.03) };
    const annuity = (100_000 * 0.03) / (1.03 * (1 - 1.03 ** -30));
    expect(closedFormSustainableIncome(earning)).toBeCloseTo(annuity, 2);
  });

  it("is 0 for an empty portfolio and none without retirement years", () => {
    expect(closedFormSustainableIncome({ ...RETIREE, current_value: 0 })).toBeCloseTo(0, 2);
    expect(closedFormSustainableIncome({ ...RETIREE, current_age: 90, retirement_age: 95 })).toBeNull();
  });
});
