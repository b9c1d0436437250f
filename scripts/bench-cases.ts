import type { RetirementInputDraft } from "../lib/retirement/input.js";

/** The Trinity-study case: $1M in 60/40 SPY/AGG (their expense ratios), retire now at 65, $40,000 a year for 30 years. */
export const FOUR_PERCENT_RULE: RetirementInputDraft = {
  current_value: 1_000_000,
  weights: { equity: 0.6, fixed_income: 0.4 },
  current_age: 65,
  retirement_age: 65,
  horizon_age: 95,
  target_income: 40_000,
  fee_rate: 0.6 * 0.000945 + 0.4 * 0.0003,
  paths: 10_000,
  seed: 42,
};

/** The demo portfolio (SPY, QQQ, BND, VEA, GLD and cash), from age 35 to 95, with a fixed pension (inflation drawn too). */
export const SIXTY_YEARS: RetirementInputDraft = {
  current_value: 99_437.5,
  weights: {
    equity: 71_545 / 99_437.5,
    fixed_income: 14_500 / 99_437.5,
    cash: 8_500 / 99_437.5,
    commodities: 4_892.5 / 99_437.5,
  },
  current_age: 35,
  retirement_age: 65,
  target_income: 60_000,
  annual_contribution: 10_000,
  income: [{ name: "Pension", annual_amount: 10_000, start_age: 65, inflation_linked: false }],
  paths: 10_000,
  seed: 42,
};
