import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { pct } from "../../lib/format.js";
import { AllocationSumError, largestRemainder, normaliseAllocation } from "../../lib/portfolio/allocation.js";
import { lineValueCents, toCents } from "../../lib/portfolio/money.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import type { Instrument, Portfolio } from "../../lib/portfolio/types.js";
import { largestWithOther, valuePortfolio } from "../../lib/portfolio/valuation.js";
import { testDb } from "../support/db.js";

/** The original's reset_db test user, at seed prices. */
const ORIGINAL_TEST_USER = parsePortfolioFile({
  user: {
    id: "test_user_001",
    display_name: "Test User",
    years_until_retirement: 25,
    target_retirement_income: 100000,
  },
  accounts: [
    {
      name: "401(k)",
      type: "401k",
      cash_balance: 5000,
      cash_interest: 0.045,
      positions: [
        { symbol: "SPY", quantity: 100 },
        { symbol: "QQQ", quantity: 50 },
        { symbol: "BND", quantity: 200 },
        { symbol: "VEA", quantity: 150 },
        { symbol: "GLD", quantity: 25 },
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
      north_america: 78800,
      global: 4892.5,
      europe: 4347,
      asia: 2535.75,
      oceania: 362.25,
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
    expect(v.positions.map((p) => [p.symbol, p.value, Math.round(p.weight * 100) / 100])).toEqual([
      ["SPY", 45025, 45.28],
      ["QQQ", 19275, 19.38],
      ["BND", 14500, 14.58],
      ["VEA", 7245, 7.29],
      ["GLD", 4892.5, 4.92],
    ]);
    expect(v.positions[0].weight).toBe((45025 / 99437.5) * 100);
  });

  it("values an unpriced instrument at 0 and lists it", () => {
    const withUnpriced: Portfolio = structuredClone(portfolio);
    withUnpriced.accounts[1].positions.push({
      symbol: "NEWX",
      quantity: 10,
      instrument: {
        symbol: "NEWX",
        name: "New ETF",
        instrument_type: null,
        current_price: null,
        allocation_asset_class: {},
        allocation_regions: {},
        allocation_sectors: {},
      },
    });
    const v = valuePortfolio(withUnpriced);
    expect(v.unpriced).toEqual(["NEWX"]);
    expect(v.total_value).toBe(99437.5);
    expect(v.positions.find((p) => p.symbol === "NEWX")).toMatchObject({ value: 0, price: null });
  });
});

const instrument = (symbol: string, price: number, allocations: Partial<Instrument> = {}): Instrument => ({
  symbol,
  name: symbol,
  instrument_type: "etf",
  current_price: price,
  allocation_asset_class: { equity: 100 },
  allocation_regions: { north_america: 100 },
  allocation_sectors: { technology: 100 },
  ...allocations,
});

const oneAccount = (
  positions: { symbol: string; quantity: number; instrument: Instrument }[],
  cash = 0,
): Portfolio => ({
  user: {
    clerk_user_id: "u",
    display_name: null,
    current_age: null,
    years_until_retirement: null,
    target_retirement_income: null,
    annual_contribution: null,
  },
  accounts: [
    { id: "a", name: "Brokerage", type: "taxable", purpose: null, cash_balance: cash, cash_interest: 0, positions },
  ],
});

const sumCents = (amounts: Record<string, number>) =>
  Object.values(amounts).reduce((s, v) => s + Math.round(v * 100), 0);

describe("exact money", () => {
  it("rounds a half-cent line value up: 123.5 × $42.15 = $5,205.53", () => {
    expect(lineValueCents(123.5, 42.15)).toBe(520553);
    expect(toCents(1.005)).toBe(101);
    expect(toCents(0.125)).toBe(13);
    const v = valuePortfolio(oneAccount([{ symbol: "VWO", quantity: 123.5, instrument: instrument("VWO", 42.15) }]));
    expect(v.positions[0].value).toBe(5205.53);
    expect(v.accounts[0].invested).toBe(5205.53);
  });

  it("adds every breakdown up to its total to the cent", () => {
    const thirds = instrument("THRD", 33.33, {
      allocation_asset_class: { equity: 33.33, fixed_income: 33.33, real_estate: 33.34 },
      allocation_regions: { europe: 33.33, asia: 33.33, north_america: 33.34 },
      allocation_sectors: {
        technology: 14.29,
        healthcare: 14.29,
        financials: 14.28,
        energy: 14.28,
        utilities: 14.28,
        materials: 14.29,
        industrials: 14.29,
      },
    });
    const v = valuePortfolio(
      oneAccount(
        [
          { symbol: "THRD", quantity: 7.77, instrument: thirds },
          { symbol: "VWO", quantity: 123.5, instrument: instrument("VWO", 42.15) },
        ],
        100.01,
      ),
    );
    const total = Math.round(v.total_value * 100);
    const invested = Math.round(v.invested * 100);
    expect(sumCents(v.allocation.asset_class)).toBe(total);
    expect(sumCents(v.allocation.region)).toBe(invested);
    expect(sumCents(v.allocation.sector)).toBe(invested);
  });

  it("puts value without an allocation under Unclassified, never Cash", () => {
    const untagged = instrument("NEWX", 10, {
      allocation_asset_class: {},
      allocation_regions: {},
      allocation_sectors: {},
    });
    const v = valuePortfolio(oneAccount([{ symbol: "NEWX", quantity: 10, instrument: untagged }], 50));
    expect(v.allocation.asset_class).toEqual({ unclassified: 100, cash: 50 });
    expect(v.allocation.sector).toEqual({ unclassified: 100 });
  });

  it("groups small sectors as Other so the chart adds up to invested assets", () => {
    const sectors = {
      technology: 40,
      healthcare: 20,
      financials: 15,
      energy: 10,
      utilities: 5,
      other: 4,
      materials: 3,
      unclassified: 3,
    };
    const top = largestWithOther(sectors, 4);
    expect(top).toEqual({ technology: 40, healthcare: 20, other: 37, unclassified: 3 });
    expect(sumCents(top)).toBe(sumCents(sectors));
    expect(largestWithOther({ technology: 60, energy: 40 }, 10)).toEqual({ technology: 60, energy: 40 });
  });

  it("rounds a percentage once", () => {
    expect(pct(23.954)).toBe("24.0%");
    expect(pct(0.05)).toBe("0.1%");
    expect(pct(1.005, 2)).toBe("1.01%");
  });
});

describe("allocations sum to 100", () => {
  it("normalises a sum within 0.01 to exactly 100.00 by largest remainder", () => {
    const normalised = normaliseAllocation("X", "allocation_regions", {
      europe: 33.333,
      asia: 33.333,
      north_america: 33.333,
    });
    expect(Object.values(normalised).reduce((a, b) => a! + b!, 0)).toBeCloseTo(100, 10);
    expect(normalised).toEqual({ europe: 33.34, asia: 33.33, north_america: 33.33 });
    expect(largestRemainder([1, 1, 1], 100)).toEqual([34, 33, 33]);
  });

  it.each([
    [{ equity: 60 }, /FUNDA: allocation_asset_class sums to 60, not 100/],
    [{ equity: 70, fixed_income: 40 }, /FUNDA: allocation_asset_class sums to 110, not 100/],
  ])("refuses %o naming the symbol and dimension", (allocation, message) => {
    expect(() => normaliseAllocation("FUNDA", "allocation_asset_class", allocation)).toThrow(AllocationSumError);
    expect(() => normaliseAllocation("FUNDA", "allocation_asset_class", allocation)).toThrow(message);
  });
});
