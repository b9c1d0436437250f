import { actionPlan, type PlannedAction, storedActions } from "../advice/actions.js";
import type { Db } from "../db/driver.js";
import { agentLogger } from "../logger.js";
import type { Portfolio } from "../portfolio/types.js";
import { type Valuation, valuePortfolio } from "../portfolio/valuation.js";
import { AssumptionError } from "../retirement/assumptions.js";
import { RetirementInputError } from "../retirement/input.js";
import { projectPortfolio, type RetirementOutlook } from "../retirement/outlook.js";
import { jobSeed } from "./retirement.js";
import { AgentInputError, requireSnapshot } from "./shared.js";

/**
 * The job's outlook as the reporter and the retirement specialist compute it (same snapshot, same seed), or null when
 * the portfolio's retirement plan cannot be projected (the retirement specialist then failed and said why).
 */
export function jobOutlook(
  requestPayload: unknown,
  portfolio: Portfolio,
  valuation: Valuation,
): RetirementOutlook | null {
  try {
    return projectPortfolio(portfolio, valuation, { seed: jobSeed(requestPayload) }).outlook;
  } catch (error) {
    if (error instanceof RetirementInputError || error instanceof AssumptionError) return null;
    throw error;
  }
}

/**
 * The job's ranked action plan computed from its snapshot (Finalize job, when neither the reporter nor the retirement
 * specialist stored it: they compute the same plan from the same snapshot and seed).
 */
export async function jobActions(db: Db, jobId: string): Promise<PlannedAction[]> {
  const snapshot = await requireSnapshot(db, jobId).catch((error: unknown) => {
    if (!(error instanceof AgentInputError)) throw error;
    agentLogger("finalize-job", jobId).warn("no action plan: the job has no usable snapshot", { error: error.message });
    return null;
  });
  if (!snapshot) return [];
  const { job, portfolio } = snapshot;
  const valuation = valuePortfolio(portfolio);
  const outlook = jobOutlook(job.request_payload, portfolio, valuation);
  const plan = storedActions(actionPlan(portfolio, valuation, outlook));
  agentLogger("finalize-job", jobId).info("action plan computed", { actions: plan.length });
  return plan;
}
