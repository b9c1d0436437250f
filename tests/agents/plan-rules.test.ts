import { describe, expect, it } from "vitest";
import {
  describeMissing,
  missingSpecialists,
  planDecisionOf,
  requiredSpecialists,
} from "../../lib/agents/plan-rules.js";
import type { Instrument, Portfolio, User } from "../../lib/portfolio/types.js";
import { SPECIALISTS } from "../../lib/roster.js";

const instrument: Instrument = {
  symbol: "SPY",
  name: "SPDR S&P 500 ETF",
  instrument_type: "etf",
  current_price: 500,
  allocation_asset_class: { equity: 100 },
  allocation_regions: { north_america: 100 },
  allocation_sectors: { technology: 100 },
};

const noGoals: User = {
  clerk_user_id: "u",
  display_name: null,
  current_age: null,
  years_until_retirement: null,
  target_retirement_income: null,
  annual_contribution: null,
};

/** Accounts with these numbers of positions. */
function portfolioOf(positionsPerAccount: number[], user: Partial<User> = {}): Portfolio {
  return {
    user: { ...noGoals, ...user },
    accounts: positionsPerAccount.map((n, a) => ({
      id: `a${a}`,
      name: `Account ${a}`,
      type: "taxable",
      purpose: null,
      cash_balance: 100,
      cash_interest: 0,
      positions: Array.from({ length: n }, (_, i) => ({ symbol: `S${a}_${i}`, quantity: 1, instrument })),
    })),
  };
}

describe("the planner's rules", () => {
  it("require nobody for an empty portfolio without goals", () => {
    expect(requiredSpecialists(portfolioOf([]))).toEqual([]);
    expect(requiredSpecialists(portfolioOf([0, 0]))).toEqual([]);
  });

  it("require the reporter for one position, and the charter from two (counted across accounts)", () => {
    expect(requiredSpecialists(portfolioOf([1]))).toEqual([
      { agent: "reporter", rule: "the portfolio has 1 position(s)" },
    ]);
    expect(requiredSpecialists(portfolioOf([1, 1]))).toEqual([
      { agent: "reporter", rule: "the portfolio has 2 position(s)" },
      { agent: "charter", rule: "the portfolio has 2 priced positions" },
    ]);
  });

  it("require the charter only for two or more priced positions: unpriced holdings have no value to chart", () => {
    const unpriced = { ...instrument, current_price: null };
    const portfolio = portfolioOf([3]);
    const withUnpriced = (priced: number): Portfolio => ({
      ...portfolio,
      accounts: portfolio.accounts.map((a) => ({
        ...a,
        positions: a.positions.map((p, i) => (i < priced ? p : { ...p, instrument: unpriced })),
      })),
    });
    expect(requiredSpecialists(withUnpriced(0)).map((r) => r.agent)).toEqual(["reporter"]);
    expect(requiredSpecialists(withUnpriced(1)).map((r) => r.agent)).toEqual(["reporter"]);
    expect(requiredSpecialists(withUnpriced(2))).toContainEqual({
      agent: "charter",
      rule: "the portfolio has 2 priced positions",
    });
  });

  it("require the retirement specialist when either goal is set, even for an empty portfolio", () => {
    const retirement = { agent: "retirement", rule: "the user has retirement goals" };
    expect(requiredSpecialists(portfolioOf([], { years_until_retirement: 20 }))).toEqual([retirement]);
    expect(requiredSpecialists(portfolioOf([], { target_retirement_income: 60_000 }))).toEqual([retirement]);
    expect(requiredSpecialists(portfolioOf([], { years_until_retirement: 0 }))).toEqual([retirement]);
    expect(requiredSpecialists(portfolioOf([3], { target_retirement_income: 0 })).map((r) => r.agent)).toEqual([
      "reporter",
      "charter",
      "retirement",
    ]);
  });
});

describe("missing specialists", () => {
  const requiredFor = () => requiredSpecialists(portfolioOf([2], { years_until_retirement: 10 }));

  it("names a required specialist that was not scheduled, with the rule it broke", () => {
    const missing = missingSpecialists(requiredFor(), { reporter: { status: "succeeded" } });
    expect(missing).toEqual([
      { agent: "charter", reason: "not scheduled although the portfolio has 2 priced positions" },
      { agent: "retirement", reason: "not scheduled although the user has retirement goals" },
    ]);
    expect(describeMissing(missing)).toBe(
      "charter not scheduled although the portfolio has 2 priced positions; retirement not scheduled although the user has retirement goals",
    );
  });

  it("names a required specialist that failed, with its error; a success is not missing", () => {
    const missing = missingSpecialists(requiredFor(), {
      reporter: { status: "succeeded" },
      charter: { status: "failed", error: "model timed out" },
      retirement: { status: "succeeded" },
    });
    expect(missing).toEqual([{ agent: "charter", reason: "failed: model timed out" }]);
    expect(describeMissing(missing)).toBe("charter failed: model timed out");
  });

  it("finds nothing missing when every required specialist succeeded, and describes nothing", () => {
    const required = requiredFor();
    const outcomes = Object.fromEntries(required.map(({ agent }) => [agent, { status: "succeeded" as const }]));
    expect(missingSpecialists(requiredFor(), outcomes)).toEqual([]);
    expect(describeMissing([])).toBe("");
  });
});

describe("the plan's decision as Finalize reads it", () => {
  it("accepts the model's own plan and one the rules changed, and nothing else", () => {
    const PlanDecision = planDecisionOf(SPECIALISTS);
    const changed = { source: "model+rules", model_choice: ["reporter"], added: ["charter"], removed: ["retirement"] };
    expect(PlanDecision.parse(changed)).toEqual(changed);
    expect(PlanDecision.parse({ ...changed, source: "model", added: [], removed: [] }).source).toBe("model");
    expect(PlanDecision.safeParse({ ...changed, source: "rules" }).success).toBe(false);
    expect(PlanDecision.safeParse({ ...changed, added: ["tagger"] }).success).toBe(false);
  });
});
