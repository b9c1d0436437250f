import { describe, expect, it } from "vitest";
import { specialistAggregate } from "../../lib/agents/planner.js";
import { AGGREGATE_HOLDINGS } from "../../lib/portfolio/aggregate.js";
import type { Portfolio, Position } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import { retirementInputFromPortfolio } from "../../lib/retirement/input.js";

/** Holding i: the largest first; a fund with no known ratio, one with a published ratio (VTI-like), a stock or one of its own. */
function holding(i: number): Position {
  const kind = i % 4;
  const symbol = kind === 1 ? "VTI" : `F${i}`;
  return {
    symbol,
    quantity: 1000 - i,
    instrument: {
      symbol,
      name: `Holding ${i}`,
      instrument_type: kind === 2 ? "stock" : "etf",
      current_price: 50,
      allocation_asset_class: { equity: 100 },
      allocation_regions: { north_america: 100 },
      allocation_sectors: { diversified: 100 },
      expense_ratio: kind === 3 ? 0.002 : null,
    },
  };
}

describe("the aggregate the specialists read charges its folded holdings the fees the full snapshot is charged", () => {
  it("gives the retirement model the same fee rate for 80 holdings, not 0% for folded funds of unknown or published ratio", () => {
    const positions = Array.from({ length: 80 }, (_, i) => holding(i)).filter(
      (p, i, all) => all.findIndex((q) => q.symbol === p.symbol) === i,
    );
    const portfolio: Portfolio = {
      user: {
        clerk_user_id: "u",
        display_name: "U",
        current_age: 40,
        years_until_retirement: 25,
        target_retirement_income: 60000,
        annual_contribution: 10000,
      },
      accounts: [
        { id: "a", name: "Brokerage", type: "taxable", purpose: null, cash_balance: 0, cash_interest: 0, positions },
      ],
    };
    const valuation = valuePortfolio(portfolio);
    const aggregate = specialistAggregate(portfolio, valuation);
    expect(aggregate.valuation.omitted_holdings?.count).toBe(positions.length - AGGREGATE_HOLDINGS);

    const full = retirementInputFromPortfolio(portfolio, valuation).draft.fee_rate;
    const folded = retirementInputFromPortfolio(aggregate.portfolio, aggregate.valuation).draft.fee_rate;
    expect(full).toBeGreaterThan(0.002);
    expect(folded).toBeCloseTo(full ?? Number.NaN, 5);
  });
});
