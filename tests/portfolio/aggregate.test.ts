import { describe, expect, it } from "vitest";
import { AGGREGATE_HOLDINGS, aggregatePortfolio, OTHER_HOLDINGS_SYMBOL } from "../../lib/portfolio/aggregate.js";
import type { Portfolio, Position } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";

const position = (i: number, price: number | null): Position => ({
  symbol: `S${i}`,
  quantity: 1 + (i % 3),
  instrument: {
    symbol: `S${i}`,
    name: `Fund ${i}`,
    instrument_type: "etf",
    current_price: price,
    allocation_asset_class: i % 2 ? { equity: 100 } : { equity: 60, fixed_income: 40 },
    allocation_regions: i % 4 ? { north_america: 100 } : {},
    allocation_sectors: { diversified: 100 },
    expense_ratio: i % 5 ? 0.001 * (i % 5) : null,
  },
});

function portfolioOf(holdings: number, accounts: number): Portfolio {
  return {
    user: {
      clerk_user_id: "u",
      display_name: "U",
      current_age: 40,
      years_until_retirement: 25,
      target_retirement_income: null,
      annual_contribution: null,
    },
    accounts: Array.from({ length: accounts }, (_, a) => ({
      id: `a${a}`,
      name: `Account ${a}`,
      type: "taxable" as const,
      purpose: null,
      cash_balance: 100 + a,
      cash_interest: 0,
      positions: Array.from({ length: holdings / accounts }, (_, p) => {
        const i = a * (holdings / accounts) + p;
        return position(i, i % 17 === 0 ? null : 10 + (i % 23) + i / 1000);
      }),
    })),
  };
}

describe("the specialists' compact aggregate", () => {
  it("leaves a small portfolio as it is", () => {
    const portfolio = portfolioOf(20, 2);
    const valuation = valuePortfolio(portfolio);
    expect(aggregatePortfolio(portfolio, valuation)).toEqual({ portfolio, valuation });
  });

  it("keeps the largest holdings, folds each account's others into one line, and values to the cent", () => {
    const portfolio = portfolioOf(1000, 4);
    const valuation = valuePortfolio(portfolio);
    const { portfolio: compact, valuation: kept } = aggregatePortfolio(portfolio, valuation);
    expect(kept.positions).toEqual(valuation.positions.slice(0, AGGREGATE_HOLDINGS));
    const omitted = valuation.positions.slice(AGGREGATE_HOLDINGS);
    expect(kept.omitted_holdings?.count).toBe(1000 - AGGREGATE_HOLDINGS);
    expect(kept.omitted_holdings?.value).toBeCloseTo(
      omitted.reduce((sum, p) => sum + p.value, 0),
      2,
    );
    expect([kept.total_value, kept.allocation, kept.unpriced]).toEqual([
      valuation.total_value,
      valuation.allocation,
      valuation.unpriced,
    ]);
    const lines = compact.accounts.flatMap((a) => a.positions);
    expect(lines.length).toBeLessThanOrEqual(2 * AGGREGATE_HOLDINGS + 4);
    expect(compact.accounts.map((a) => a.positions.at(-1)?.symbol)).toEqual(Array(4).fill(OTHER_HOLDINGS_SYMBOL));
    // The folded portfolio values to the same total, and to the same asset classes within the half cent each line's
    // split rounds (half-up, per line) in the full valuation and the folded line cannot repeat.
    const revalued = valuePortfolio(compact);
    expect(revalued.total_value).toBe(valuation.total_value);
    const foldedLines = portfolio.accounts.flatMap((a) => a.positions).length - lines.length + 4;
    for (const [key, amount] of Object.entries(valuation.allocation.asset_class))
      expect(Math.abs((revalued.allocation.asset_class[key] ?? 0) - amount)).toBeLessThanOrEqual(
        0.005 * foldedLines + 0.02,
      );
    expect(
      Math.abs((revalued.allocation.region.unclassified ?? 0) - (valuation.allocation.region.unclassified ?? 0)),
    ).toBeLessThanOrEqual(0.005 * foldedLines + 0.02);
    // The same fees (to the cent): Σ value × expense ratio over the holdings that have one.
    const fees = (p: Portfolio) =>
      p.accounts
        .flatMap((a) => a.positions)
        .reduce(
          (sum, x) => sum + x.quantity * (x.instrument.current_price ?? 0) * (x.instrument.expense_ratio ?? 0),
          0,
        );
    expect(fees(compact)).toBeCloseTo(fees(portfolio), 2); // lines are valued in whole cents
  });

  it("bounds the lines when few holdings are held in many accounts", () => {
    const base = portfolioOf(20, 1);
    const portfolio = {
      ...base,
      accounts: Array.from({ length: 50 }, (_, a) => ({ ...base.accounts[0], id: `a${a}` })),
    };
    const valuation = valuePortfolio(portfolio);
    const { portfolio: compact, valuation: kept } = aggregatePortfolio(portfolio, valuation);
    expect(kept).toBe(valuation);
    expect(compact.accounts.flatMap((a) => a.positions).filter((p) => p.symbol !== OTHER_HOLDINGS_SYMBOL)).toHaveLength(
      2 * AGGREGATE_HOLDINGS,
    );
    expect(valuePortfolio(compact).total_value).toBe(valuation.total_value);
  });
});
