import * as z from "zod";
import type { Portfolio } from "../portfolio/types.js";
import { hasRetirementGoals, positionCount, pricedPositionCount } from "./portfolio-brief.js";
import { SPECIALISTS, type SpecialistName } from "./shared.js";

// The planner's rules as code, without the Agents SDK: the planner's guard and Finalize job both read them.

/** A specialist the rules require for a portfolio, with the rule that applies (in words the model is given). */
export interface RequiredSpecialist {
  agent: SpecialistName;
  rule: string;
}

/**
 * The specialists the planner's rules require: reporter for ≥ 1 position, charter for ≥ 2 priced positions (nothing
 * else has a value to chart), retirement with goals.
 */
export function requiredSpecialists(portfolio: Portfolio): RequiredSpecialist[] {
  const positions = positionCount(portfolio);
  const required: RequiredSpecialist[] = [];
  if (positions >= 1) required.push({ agent: "reporter", rule: `the portfolio has ${positions} position(s)` });
  const priced = pricedPositionCount(portfolio);
  if (priced >= 2) required.push({ agent: "charter", rule: `the portfolio has ${priced} priced positions` });
  if (hasRetirementGoals(portfolio)) required.push({ agent: "retirement", rule: "the user has retirement goals" });
  return required;
}

/** How the plan came about: `model` alone, or `model+rules` when the rules had to add or remove a specialist. */
export const PlanDecision = z.object({
  /** `model+reminder`: the model chose every required specialist only when asked a second time. */
  source: z.enum(["model", "model+reminder", "model+rules"]),
  model_choice: z.array(z.enum(SPECIALISTS)),
  added: z.array(z.enum(SPECIALISTS)),
  removed: z.array(z.enum(SPECIALISTS)),
});
export type PlanDecision = z.infer<typeof PlanDecision>;

/** A required specialist whose output the job does not have, and why. */
export interface MissingSpecialist {
  agent: SpecialistName;
  reason: string;
}

/** The required specialists that were not scheduled or did not succeed. */
export function missingSpecialists(
  required: RequiredSpecialist[],
  outcomes: Record<string, { status: "succeeded" } | { status: "failed"; error: string }>,
): MissingSpecialist[] {
  return required.flatMap(({ agent, rule }) => {
    const outcome = outcomes[agent];
    if (!outcome) return [{ agent, reason: `not scheduled although ${rule}` }];
    return outcome.status === "failed" ? [{ agent, reason: `failed: ${outcome.error}` }] : [];
  });
}

export const describeMissing = (missing: MissingSpecialist[]) =>
  missing.map((m) => `${m.agent} ${m.reason}`).join("; ");
