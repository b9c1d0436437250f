import type { OfflinePolicy } from "../../models/offline.js";
import type { Portfolio } from "../../portfolio/types.js";
import type { Valuation } from "../../portfolio/valuation.js";
import { specialistNames, TEAM, type Team } from "../specialists.js";

/** The offline analyst applies the planner's rules (`SPECIALIST_PLANS`) to the portfolio its prompt summarises. */
export function plannerPolicy(portfolio: Portfolio, valuation: Valuation, team: Team = TEAM): OfflinePolicy {
  const calls = specialistNames(team).flatMap((agent) => {
    const plan = team.plans[agent];
    if (plan.rule(portfolio) === undefined) return [];
    return [{ name: `run_${agent}`, arguments: { reason: plan.offlineReason(portfolio, valuation) } }];
  });
  return ({ toolResults }) => {
    if (toolResults.length > 0) {
      const chosen = toolResults.map((r) => r.name.replace("run_", "")).join(", ");
      return { final: `Scheduled: ${chosen}.` };
    }
    return calls.length > 0
      ? { toolCalls: calls }
      : { final: "No specialist applies: the portfolio is empty and has no retirement goals." };
  };
}
