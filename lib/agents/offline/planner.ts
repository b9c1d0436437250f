import { usd } from "../../format.js";
import type { OfflinePolicy } from "../../models/offline.js";
import type { Portfolio } from "../../portfolio/types.js";
import type { Valuation } from "../../portfolio/valuation.js";
import { hasRetirementGoals, positionCount, pricedPositionCount } from "../portfolio-brief.js";

/** The offline analyst applies the planner's rules to the same summary its prompt is built from. */
export function plannerPolicy(portfolio: Portfolio, valuation: Valuation): OfflinePolicy {
  const positions = positionCount(portfolio);
  const priced = pricedPositionCount(portfolio);
  return ({ toolResults }) => {
    if (toolResults.length > 0) {
      const chosen = toolResults.map((r) => r.name.replace("run_", "")).join(", ");
      return { final: `Scheduled: ${chosen}.` };
    }
    const calls = [];
    if (positions > 0) {
      calls.push({
        name: "run_reporter",
        arguments: { reason: `${positions} position(s) worth ${usd(valuation.invested)} to analyse` },
      });
    }
    if (priced >= 2) {
      calls.push({
        name: "run_charter",
        arguments: { reason: `${priced} priced positions across ${portfolio.accounts.length} account(s) to visualise` },
      });
    }
    if (hasRetirementGoals(portfolio)) {
      const years = portfolio.user.years_until_retirement;
      calls.push({
        name: "run_retirement",
        arguments: {
          reason: years === null ? "the user set a retirement income target" : `retirement is ${years} years away`,
        },
      });
    }
    return calls.length > 0
      ? { toolCalls: calls }
      : { final: "No specialist applies: the portfolio is empty and has no retirement goals." };
  };
}
