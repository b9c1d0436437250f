import {
  expectedFixedIncome,
  type Plan,
  parseRetirementInput,
  planFrom,
  type RetirementInputDraft,
  withdrawalIn,
} from "./input.js";

/**
 * Value (today's dollars) at the end of `year` when every year earns the mean real return r and inflation is its
 * mean: V₀(1+r)^T + Σ_{t ≤ min(T,R)} c_t(1+r)^(T−t) − Σ_{R < t ≤ T} w_t(1+r)^(T−t+1), floored at 0 (a path that
 * cannot pay a withdrawal stays empty). What the simulation gives when every volatility is 0.
 */
export function closedForm(plan: Plan, year: number): number {
  const growth = 1 + plan.mean;
  let value = plan.startValue * growth ** year;
  for (let t = 1; t <= year; t++) {
    value += plan.contributions[t] * growth ** (year - t);
    value -= withdrawalIn(plan, t, expectedFixedIncome(plan, t)) * growth ** (year - t + 1);
  }
  return value > 0 ? value : 0;
}

/** `closedForm` for a given target (today's dollars), without the floor: negative once the money ran out. */
function endValueFor(plan: Plan, target: number): number {
  const withTarget = { ...plan, target };
  const growth = 1 + plan.mean;
  let value = plan.startValue * growth ** plan.horizonYear;
  for (let t = 1; t <= plan.horizonYear; t++) {
    value += plan.contributions[t] * growth ** (plan.horizonYear - t);
    value -= withdrawalIn(withTarget, t, expectedFixedIncome(plan, t)) * growth ** (plan.horizonYear - t + 1);
  }
  return value;
}

/**
 * The largest yearly spending (today's dollars, after tax) the mean-return path pays in full to the horizon, found
 * by bisection to a tenth of a cent (the end value falls as the target rises, and a path that runs out never
 * recovers). Null without retirement years.
 */
export function sustainableIncome(plan: Plan): number | null {
  if (plan.horizonYear === plan.retirementYear) return null;
  let low = 0;
  let high = Math.max(1, plan.target);
  while (endValueFor(plan, high) >= 0 && high < 1e13) high *= 2;
  if (endValueFor(plan, low) < 0) return 0;
  while (high - low > 0.001) {
    const middle = (low + high) / 2;
    if (endValueFor(plan, middle) >= 0) low = middle;
    else high = middle;
  }
  return low;
}

/** Closed-form value at the end of `year` for an input (validated); what the engine gives when every σ is 0. */
export function closedFormValue(draft: RetirementInputDraft, year: number): number {
  const plan = planFrom(parseRetirementInput(draft));
  if (!Number.isInteger(year) || year < 0 || year > plan.horizonYear) {
    throw new RangeError(`year ${year} is outside 0..${plan.horizonYear}`);
  }
  return closedForm(plan, year);
}

/** The sustainable spending of an input (validated); null without retirement years. */
export function closedFormSustainableIncome(draft: RetirementInputDraft): number | null {
  return sustainableIncome(planFrom(parseRetirementInput(draft)));
}
