import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import { testDb } from "../support/db.js";

/** The original's reset_db test user, at seed prices. */
const ORIGINAL_TEST_USER = parsePortfolioFile({
  user: { id: "test_user_001", display_name: "Test User", years_until_retirement: 25, target_retirement_income: 100000 },
  accounts: [
    {
      name: "401(k)", type: "401k", cash_balance: 5000, cash_interest: 0.045,
      positions: [
        { symbol: "SPY", quantity: 100 }, { symbol: "QQQ", quantity: 50 }, { symbol: "BND", quantity: 200 },
        { symbol: "VEA", quantity: 150 }, { symbol: "GLD", quantity: 25 },
      ],
    },
    { name: "Roth IRA", type: "roth_ira", cash_balance: 1000, cash_interest: 0.04 },
    { name: "Taxable Brokerage", type: "taxable", cash_balance: 2500, cash_interest: 0.035 },
  ],
});

describe("valuePortfolio", () => {
  let db: PgliteDb;
  let portfolio: Portfolio;
  beforeAll(async () => {
    db = await testDb();
    await importPortfolio(db, ORIGINAL_TEST_USER);
    portfolio = (await loadPortfolio(db, "test_user_001"))!;
  });
  afterAll(() => db.close());

  it("reproduces the original's golden numbers", () => {
    const v = valuePortfolio(portfolio);
    expect(v.total_value).toBe(99437.5);
    expect(v.cash).toBe(8500);
    expect(v.invested).toBe(90937.5);
    expect(v.allocation.asset_class).toEqual({ equity: 71545, fixed_income: 14500, cash: 8500, commodities: 4892.5 });
    expect(v.allocation.region).toEqual({
      north_america: 78800, global: 4892.5, europe: 4347, asia: 2535.75, oceania: 362.25,
    });
    expect(v.allocation.sector.technology).toBe(22969);
    expect(v.allocation.sector.consumer_discretionary).toBe(9091.2);
    expect(v.allocation.sector.mortgage).toBe(3915);
  });

  it("values each account and each holding", () => {
    const v = valuePortfolio(portfolio);
    expect(v.accounts.map((a) => [a.name, a.type, a.total_value])).toEqual([
      ["401(k)", "401k", 95937.5],
      ["Roth IRA", "roth_ira", 1000],
      ["Taxable Brokerage", "taxable", 2500],
    ]);
    expect(v.positions.map((p) => [p.symbol, p.value, p.weight])).toEqual([
      ["SPY", 45025, 45.28],
      ["QQQ", 19275, 19.38],
      ["BND", 14500, 14.58],
      ["VEA", 7245, 7.29],
      ["GLD", 4892.5, 4.92],
    ]);
  });

  it("values an unpriced instrument at 0 and lists it", () => {
    const withUnpriced: Portfolio = structuredClone(portfolio);
    withUnpriced.accounts[1].positions.push({
      symbol: "NEWX",
      quantity: 10,
      instrument: {
        symbol: "NEWX", name: "New ETF", instrument_type: null, current_price: null,
        allocation_asset_class: {}, allocation_regions: {}, allocation_sectors: {},
      },
    });
    const v = valuePortfolio(withUnpriced);
    expect(v.unpriced).toEqual(["NEWX"]);
    expect(v.total_value).toBe(99437.5);
    expect(v.positions.find((p) => p.symbol === "NEWX")).toMatchObject({ value: 0, price: null });
  });
});
