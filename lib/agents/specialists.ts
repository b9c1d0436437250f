import { usd } from "../format.js";
import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import { type Roster, SPECIALIST_ROSTER, type SpecialistName } from "../roster.js";
import { hasRetirementGoals, positionCount, pricedPositionCount } from "./portfolio-brief.js";

// What the planner knows of each specialist, without the Agents SDK (Finalize job reads the rules too). The
// specialist's row is in `lib/roster.ts`; this record's type makes the compiler ask for a new row's entry here.

/** A specialist as the planner sees it: its `run_<name>` tool, the rule that requires it, and the offline reason. */
export interface SpecialistPlan {
  /** The description of the planner's `run_<name>` tool. */
  tool: string;
  /** When to call the tool: one line of the planner's instructions. */
  when: string;
  /** The rule as code: the words that say why this portfolio needs the specialist (given to the model), or undefined. */
  rule: (portfolio: Portfolio) => string | undefined;
  /** The offline planner's reason for calling the tool when the rule applies. */
  offlineReason: (portfolio: Portfolio, valuation: Valuation) => string;
}

export const SPECIALIST_PLANS: Record<SpecialistName, SpecialistPlan> = {
  reporter: {
    tool: "Schedule the reporter, who writes the portfolio analysis report.",
    when: "when the portfolio has at least one position.",
    rule: (portfolio) => {
      const positions = positionCount(portfolio);
      return positions >= 1 ? `the portfolio has ${positions} position(s)` : undefined;
    },
    offlineReason: (portfolio, valuation) =>
      `${positionCount(portfolio)} position(s) worth ${usd(valuation.invested)} to analyse`,
  },
  charter: {
    tool: "Schedule the charter, who draws charts of the portfolio.",
    when: "when it has at least two priced positions (priced_positions): nothing else has a value to chart.",
    rule: (portfolio) => {
      const priced = pricedPositionCount(portfolio);
      return priced >= 2 ? `the portfolio has ${priced} priced positions` : undefined;
    },
    offlineReason: (portfolio) =>
      `${pricedPositionCount(portfolio)} priced positions across ${portfolio.accounts.length} account(s) to visualise`,
  },
  retirement: {
    tool: "Schedule the retirement specialist, who projects retirement outcomes (Monte Carlo).",
    when: "when the user has retirement goals (years until retirement or a target income).",
    rule: (portfolio) => (hasRetirementGoals(portfolio) ? "the user has retirement goals" : undefined),
    offlineReason: (portfolio) => {
      const years = portfolio.user.years_until_retirement;
      return years === null ? "the user set a retirement income target" : `retirement is ${years} years away`;
    },
  },
};

/**
 * The specialists a job may run: the roster's rows and the planner's parts, by the same names. The registry's
 * (`TEAM`) unless a test gives `AgentDeps.team` one with a fixture's specialist added.
 */
export interface Team {
  roster: Roster;
  plans: Readonly<Record<string, SpecialistPlan>>;
}

export const TEAM: Team = { roster: SPECIALIST_ROSTER, plans: SPECIALIST_PLANS };

/** A team from rows and plans; each specialist needs both. */
export function team(roster: Roster, plans: Readonly<Record<string, SpecialistPlan>>): Team {
  const rows = Object.keys(roster);
  const unmatched = [...rows.filter((name) => !(name in plans)), ...Object.keys(plans).filter((n) => !(n in roster))];
  if (unmatched.length > 0) throw new Error(`A specialist needs a roster row and a plan: ${unmatched.join(", ")}`);
  return { roster, plans };
}

/** The names of a team's specialists, in the roster's order. */
export const specialistNames = (of: Team): string[] => Object.keys(of.roster);
