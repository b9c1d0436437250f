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
