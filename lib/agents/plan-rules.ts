import * as z from "zod";
import type { Portfolio } from "../portfolio/types.js";
import { specialistNames, TEAM, type Team } from "./specialists.js";

// The planner's rules as code, without the Agents SDK: the planner's guard and Finalize job both read them.

/** A specialist the rules require for a portfolio, with the rule that applies (in words the model is given). */
export interface RequiredSpecialist {
  agent: string;
  rule: string;
}

/**
 * The specialists the planner's rules require (`SPECIALIST_PLANS`): reporter for ≥ 1 position, charter for ≥ 2
 * priced positions (nothing else has a value to chart), retirement with goals.
 */
export function requiredSpecialists(portfolio: Portfolio, team: Team = TEAM): RequiredSpecialist[] {
  return specialistNames(team).flatMap((agent) => {
    const rule = team.plans[agent].rule(portfolio);
    return rule === undefined ? [] : [{ agent, rule }];
  });
}

/** How the plan came about, over the given specialists' names. */
export const planDecisionOf = (names: readonly string[]) =>
  z.object({
    /** `model+reminder`: the model chose every required specialist only when asked a second time. */
    source: z.enum(["model", "model+reminder", "model+rules"]),
    model_choice: z.array(z.enum(names)),
    added: z.array(z.enum(names)),
    removed: z.array(z.enum(names)),
  });

/** How the plan came about: `model` alone, or `model+rules` when the rules had to add or remove a specialist. */
export type PlanDecision = z.infer<ReturnType<typeof planDecisionOf>>;

/** A required specialist whose output the job does not have, and why. */
export interface MissingSpecialist {
  agent: string;
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
