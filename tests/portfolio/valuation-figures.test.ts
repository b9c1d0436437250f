import { describe, expect, it } from "vitest";
import type { Account, Instrument, Portfolio } from "../../lib/portfolio/types.js";
import { largestWithOther, UNCLASSIFIED, valuationJson, valuePortfolio } from "../../lib/portfolio/valuation.js";

// What a user reads off a valuation: quantities, the accounts a holding is in, each account's figures, the order of
// holdings and slices, and allocations that keep the classified share of a partly classified fund.

const fund = (symbol: string, price: number | null, allocations: Partial<Instrument> = {}): Instrument => ({
  symbol,
  name: `${symbol} Fund`,
  instrument_type: "etf",
  current_price: price,
  allocation_asset_class: { equity: 100 },
  allocation_regions: { north_america: 100 },
  allocation_sectors: { technology: 100 },
  ...allocations,
});

const account = (
  id: string,
  name: string,
  cash: number,
  positions: [Instrument, number][],
  type: Account["type"] = "taxable",
): Account => ({
  id,
  name,
  type,
  purpose: null,
  cash_balance: cash,
  cash_interest: 0,
  positions: positions.map(([instrument, quantity]) => ({ symbol: instrument.symbol, quantity, instrument })),
});

const portfolioOf = (...accounts: Account[]): Portfolio => ({
  user: {
    clerk_user_id: "u",
    display_name: null,
    current_age: null,
    years_until_retirement: null,
    target_retirement_income: null,
    annual_contribution: null,
  },
  accounts,
});

// Valued inside each test, not in a describe block: Stryker's per-test coverage counts code run at collection as
// reached by every test.
describe("a holding across accounts", () => {
  const spy = fund("SPY", 500, { price_as_of: "2026-12-04", price_source: "market", price_stale: true });
  const spread = () =>
    valuePortfolio(
      portfolioOf(
        account("a1", "401(k)", 0, [[spy, 10]], "401k"),
        account("a2", "Roth IRA", 0, [[spy, 2.5]], "roth_ira"),
        account("a3", "Taxable", 0, [[spy, 0.25]]),
      ),
    );

  it("adds the quantities and the values, and lists every account once, in order", () => {
    const v = spread();
    expect(v.positions).toHaveLength(1);
    expect(v.positions[0]).toEqual({
      symbol: "SPY",
      name: "SPY Fund",
      quantity: 12.75,
      price: 500,
      price_as_of: "2026-12-04",
      price_source: "market",
      price_stale: true,
      value: 6375,
      weight: 100,
      accounts: ["401(k)", "Roth IRA", "Taxable"],
    });
  });

  it("lists an account once when it holds the symbol in two lots", () => {
    const lots = valuePortfolio(
      portfolioOf(
        account("a1", "Brokerage", 0, [
          [fund("QQQ", 400), 1],
          [fund("QQQ", 400), 2],
        ]),
      ),
    );
    expect(lots.positions[0]).toMatchObject({ quantity: 3, value: 1200, accounts: ["Brokerage"] });
    expect(lots.accounts[0].positions).toBe(2);
  });

  it("gives a price without a date or source as such, not stale", () => {
    const plain = valuePortfolio(portfolioOf(account("a1", "Brokerage", 0, [[fund("VTI", 250), 4]])));
    expect(plain.positions[0]).toMatchObject({ price: 250, price_as_of: null, price_source: null, price_stale: false });
  });

  it("counts a short lot (negative quantity) against the long one", () => {
    const net = valuePortfolio(
      portfolioOf(
        account("a1", "Margin", 0, [[fund("TSLA", 200), 10]]),
        account("a2", "Short", 0, [[fund("TSLA", 200), -4]]),
      ),
    );
    expect(net.positions[0]).toMatchObject({ quantity: 6, value: 1200, accounts: ["Margin", "Short"] });
    expect(net.accounts.map((a) => a.invested)).toEqual([2000, -800]);
    expect(net.invested).toBe(1200);
    expect(net.allocation.asset_class).toEqual({ equity: 1200 });
  });
});

describe("accounts and totals", () => {
  const valued = () =>
    valuePortfolio(
      portfolioOf(
        account(
          "a1",
          "401(k)",
          1000.5,
          [
            [fund("SPY", 500), 3],
            [fund("BND", 72.5, { allocation_asset_class: { fixed_income: 100 } }), 10],
          ],
          "401k",
        ),
        account("a2", "Savings", 250.25, []),
        account("a3", "Old IRA", 0, [[fund("NEWX", null), 5]], "traditional_ira"),
      ),
    );

  it("values each account: cash, invested, total and number of positions", () => {
    const v = valued();
    expect(v.accounts).toEqual([
      { id: "a1", name: "401(k)", type: "401k", cash: 1000.5, invested: 2225, total_value: 3225.5, positions: 2 },
      { id: "a2", name: "Savings", type: "taxable", cash: 250.25, invested: 0, total_value: 250.25, positions: 0 },
      { id: "a3", name: "Old IRA", type: "traditional_ira", cash: 0, invested: 0, total_value: 0, positions: 1 },
    ]);
  });

  it("adds cash and invested to the total", () => {
    const v = valued();
    expect(v.cash).toBe(1250.75);
    expect(v.invested).toBe(2225);
    expect(v.total_value).toBe(3475.75);
  });

  it("weighs each holding against the total, cash included", () => {
    const v = valued();
    expect(v.positions.map((p) => p.symbol)).toEqual(["SPY", "BND", "NEWX"]);
    expect(v.positions[0].weight).toBeCloseTo((1500 / 3475.75) * 100, 10);
    expect(v.positions[1].weight).toBeCloseTo((725 / 3475.75) * 100, 10);
    expect(v.positions[2].weight).toBe(0);
    expect(v.unpriced).toEqual(["NEWX"]);
  });

  it("lists unpriced symbols once, sorted, and values them at 0", () => {
    const twice = valuePortfolio(
      portfolioOf(
        account("a1", "One", 0, [
          [fund("ZZZ", null), 1],
          [fund("AAA", null), 1],
        ]),
        account("a2", "Two", 0, [[fund("ZZZ", null), 2]]),
      ),
    );
    expect(twice.unpriced).toEqual(["AAA", "ZZZ"]);
    expect(twice.total_value).toBe(0);
    expect(twice.allocation).toEqual({ asset_class: {}, region: {}, sector: {} });
  });

  it("orders holdings by value, then by symbol", () => {
    const tied = valuePortfolio(
      portfolioOf(
        account("a1", "One", 0, [
          [fund("CCC", 10), 1],
          [fund("BBB", 10), 1],
          [fund("AAA", 5), 1],
          [fund("DDD", 20), 1],
        ]),
      ),
    );
    expect(tied.positions.map((p) => p.symbol)).toEqual(["DDD", "BBB", "CCC", "AAA"]);
  });

  it("values an empty portfolio at zero everywhere", () => {
    const empty = valuePortfolio(portfolioOf());
    expect(empty).toEqual({
      total_value: 0,
      cash: 0,
      invested: 0,
      accounts: [],
      positions: [],
      unpriced: [],
      allocation: { asset_class: {}, region: {}, sector: {} },
    });
  });

  it("shows an all-cash portfolio as cash, with no region or sector", () => {
    const cash = valuePortfolio(portfolioOf(account("a1", "Savings", 5000, []), account("a2", "Checking", 0.01, [])));
    expect(cash.allocation).toEqual({ asset_class: { cash: 5000.01 }, region: {}, sector: {} });
    expect(cash.total_value).toBe(5000.01);
  });

  it("subtracts an overdrawn (negative) cash balance from the total", () => {
    const overdrawn = valuePortfolio(portfolioOf(account("a1", "Margin", -300, [[fund("SPY", 500), 2]])));
    expect(overdrawn.cash).toBe(-300);
    expect(overdrawn.total_value).toBe(700);
    expect(overdrawn.accounts[0]).toMatchObject({ cash: -300, invested: 1000, total_value: 700 });
    expect(overdrawn.allocation.asset_class).toEqual({ equity: 1000, cash: -300 });
  });

  it("prints the same figures as JSON", () => {
    const v = valued();
    expect(valuationJson(v)).toEqual(v);
    expect(Object.keys(valuationJson(v))).toEqual([
      "total_value",
      "cash",
      "invested",
      "accounts",
      "positions",
      "unpriced",
      "allocation",
    ]);
  });
});

describe("allocation splits", () => {
  it("keeps a partly classified fund's known share and puts the rest under unclassified", () => {
    const partly = fund("BAL", 100, {
      allocation_asset_class: { equity: 60 },
      allocation_regions: { north_america: 45, europe: 15 },
      allocation_sectors: {},
    });
    const v = valuePortfolio(portfolioOf(account("a1", "Brokerage", 0, [[partly, 10]])));
    expect(v.allocation.asset_class).toEqual({ equity: 600, [UNCLASSIFIED]: 400 });
    expect(v.allocation.region).toEqual({ north_america: 450, [UNCLASSIFIED]: 400, europe: 150 });
    expect(v.allocation.sector).toEqual({ unclassified: 1000 });
  });

  it("scales an allocation above 100 down to the value", () => {
    const over = fund("OVR", 110, { allocation_asset_class: { equity: 70, fixed_income: 40 } });
    const v = valuePortfolio(portfolioOf(account("a1", "Brokerage", 0, [[over, 10]])));
    expect(v.allocation.asset_class).toEqual({ equity: 700, fixed_income: 400 });
  });

  it("ignores zero and missing keys of an allocation", () => {
    const zeros = fund("ZRO", 50, { allocation_asset_class: { equity: 100, fixed_income: 0, cash: undefined } });
    const v = valuePortfolio(portfolioOf(account("a1", "Brokerage", 0, [[zeros, 2]])));
    expect(v.allocation.asset_class).toEqual({ equity: 100 });
  });

  it("splits a value that does not divide evenly to the cent, adding up to it, largest first", () => {
    const thirds = fund("THR", 0.01, {
      allocation_asset_class: { equity: 33.33, fixed_income: 33.34, real_estate: 33.33 },
    });
    const v = valuePortfolio(portfolioOf(account("a1", "Brokerage", 0, [[thirds, 100]])));
    expect(v.allocation.asset_class).toEqual({ fixed_income: 0.34, equity: 0.33, real_estate: 0.33 });
    expect(Object.keys(v.allocation.asset_class)).toEqual(["fixed_income", "equity", "real_estate"]);
  });

  it("orders slices largest first, ties by name, and drops a slice that sums to zero", () => {
    const v = valuePortfolio(
      portfolioOf(
        account("a1", "One", 0, [
          [fund("B1", 100, { allocation_sectors: { healthcare: 100 } }), 1],
          [fund("A1", 100, { allocation_sectors: { energy: 100 } }), 1],
          [fund("C1", 300, { allocation_sectors: { utilities: 100 } }), 1],
          [fund("D1", 0, { allocation_sectors: { materials: 100 } }), 1],
        ]),
      ),
    );
    expect(Object.entries(v.allocation.sector)).toEqual([
      ["utilities", 300],
      ["energy", 100],
      ["healthcare", 100],
    ]);
    expect(Object.entries(v.allocation.asset_class)).toEqual([["equity", 500]]);
  });
});

describe("largestWithOther", () => {
  it("returns the slices unchanged when they fit", () => {
    const amounts = { equity: 60, fixed_income: 30, cash: 10 };
    expect(largestWithOther(amounts, 3)).toBe(amounts);
    expect(largestWithOther({ equity: 60, other: 40 }, 2)).toEqual({ equity: 60, other: 40 });
  });

  it("keeps keep − 1 slices and sums the rest as other, to the cent", () => {
    expect(largestWithOther({ a: 40.1, b: 30.2, c: 20.3, d: 9.4 }, 3)).toEqual({ a: 40.1, b: 30.2, other: 29.7 });
    expect(largestWithOther({ a: 0.1, b: 0.2, c: 0.1 }, 2)).toEqual({ a: 0.1, other: 0.3 });
  });

  it("merges an existing other and counts it as a slice", () => {
    expect(largestWithOther({ a: 50, b: 30, other: 20 }, 2)).toEqual({ a: 50, other: 50 });
    expect(largestWithOther({ a: 50, b: 30, other: 20 }, 3)).toEqual({ a: 50, b: 30, other: 20 });
  });

  it("keeps unclassified apart and gives it a slot", () => {
    const amounts = { a: 50, b: 20, c: 10, [UNCLASSIFIED]: 20 };
    expect(largestWithOther(amounts, 4)).toBe(amounts);
    expect(largestWithOther(amounts, 3)).toEqual({ a: 50, other: 30, [UNCLASSIFIED]: 20 });
    expect(largestWithOther({ a: 50, b: 30, c: 20, [UNCLASSIFIED]: 0 }, 2)).toEqual({ a: 50, other: 50 });
  });

  it("puts everything under other when only one slot is left", () => {
    expect(largestWithOther({ a: 60, b: 20, [UNCLASSIFIED]: 20 }, 1)).toEqual({ other: 80, [UNCLASSIFIED]: 20 });
    expect(largestWithOther({ a: 60, b: 40 }, 1)).toEqual({ other: 100 });
  });
});
