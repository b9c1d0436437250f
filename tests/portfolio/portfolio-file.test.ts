import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/driver.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { getInstruments } from "../../lib/db/repositories/instruments.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import {
  PortfolioFileError,
  parsePortfolioFile,
  readPortfolioFile,
  userIdOf,
} from "../../lib/portfolio/portfolio-file.js";
import { testDb } from "../support/db.js";

let db: PgliteDb;
let dir: string;

beforeAll(async () => {
  db = await testDb();
  dir = mkdtempSync(join(tmpdir(), "alex-portfolio-files-"));
});
afterAll(async () => {
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A valid file; each bad case changes one thing. */
function validFile(): any {
  return {
    user: {
      id: "pf-user",
      display_name: "File User",
      current_age: 40,
      years_until_retirement: 25,
      target_retirement_income: 90000,
    },
    accounts: [
      {
        name: "401(k)",
        type: "401k",
        purpose: "retirement",
        cash_balance: 5000,
        cash_interest: 0.045,
        positions: [
          { symbol: " spy ", quantity: 100, name: "My own name for SPY", price: 1 },
          { symbol: "pfnewx", quantity: 10, name: "New ETF", price: 25.5, instrument_type: "etf" },
        ],
      },
      { name: "Roth IRA", type: "roth_ira", positions: [{ symbol: "PFBARE", quantity: 1.5 }] },
    ],
  };
}

async function tableCounts(target: Db) {
  const { rows } = await target.query<{ users: number; accounts: number; positions: number; instruments: number }>(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM accounts)::int AS accounts,
            (SELECT count(*) FROM positions)::int AS positions, (SELECT count(*) FROM instruments)::int AS instruments`,
  );
  return rows[0];
}

/** Writes the file, reads it back through the real reader, and returns the error it raised. */
async function errorFor(data: unknown, name = "bad.json"): Promise<PortfolioFileError> {
  const path = join(dir, name);
  writeFileSync(path, typeof data === "string" ? data : JSON.stringify(data));
  try {
    await readPortfolioFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(PortfolioFileError);
    return error as PortfolioFileError;
  }
  throw new Error(`${name} was accepted`);
}

describe("valid portfolio files", () => {
  it("parses with upper-cased, trimmed symbols and defaults", () => {
    const file = parsePortfolioFile(validFile());
    expect(file.accounts[0].positions.map((p) => p.symbol)).toEqual(["SPY", "PFNEWX"]);
    expect(file.accounts[1]).toEqual({
      name: "Roth IRA",
      type: "roth_ira",
      cash_balance: 0,
      cash_interest: 0,
      positions: [{ symbol: "PFBARE", quantity: 1.5 }],
    });
    expect(userIdOf(file)).toBe("pf-user");
    const anonymous = validFile();
    delete anonymous.user.id;
    anonymous.user.display_name = "  Zoë & Max O'Neil!  ";
    expect(userIdOf(parsePortfolioFile(anonymous))).toBe("local:zo-max-o-neil");
  });

  it("imports: known symbols keep the database's name and price, unknown ones are the user's own, untagged", async () => {
    const path = join(dir, "good.json");
    writeFileSync(path, JSON.stringify(validFile()));
    const userId = await importPortfolio(db, await readPortfolioFile(path));
    expect(userId).toBe("pf-user");

    const portfolio = (await loadPortfolio(db, userId))!;
    expect(portfolio.user).toMatchObject({
      display_name: "File User",
      current_age: 40,
      target_retirement_income: 90000,
    });
    expect(portfolio.accounts.map((a) => [a.name, a.type, a.cash_balance, a.cash_interest])).toEqual([
      ["401(k)", "401k", 5000, 0.045],
      ["Roth IRA", "roth_ira", 0, 0],
    ]);
    const bySymbol = Object.fromEntries(portfolio.accounts.flatMap((a) => a.positions).map((p) => [p.symbol, p]));
    expect(Object.keys(bySymbol).sort()).toEqual(["PFBARE", "PFNEWX", "SPY"]);
    expect(bySymbol.SPY.quantity).toBe(100);
    expect(bySymbol.SPY.instrument).toMatchObject({
      name: "SPDR S&P 500 ETF Trust",
      current_price: 450.25,
      allocation_asset_class: { equity: 100 },
    });
    expect(bySymbol.SPY.instrument).toMatchObject({ price_source: "seed", price_as_of: "2024-01-02" });
    expect(bySymbol.PFNEWX.instrument).toEqual({
      symbol: "PFNEWX",
      name: "New ETF",
      instrument_type: "etf",
      current_price: 25.5,
      allocation_asset_class: {},
      allocation_regions: {},
      allocation_sectors: {},
      price_as_of: new Date().toISOString().slice(0, 10),
      price_source: "user",
      price_stale: false,
    });
    expect(bySymbol.PFBARE.instrument).toEqual({
      symbol: "PFBARE",
      name: "PFBARE",
      instrument_type: null,
      current_price: null,
      allocation_asset_class: {},
      allocation_regions: {},
      allocation_sectors: {},
      price_as_of: null,
      price_source: null,
      price_stale: false,
    });
    expect(await getInstruments(db, ["PFNEWX", "PFBARE"])).toEqual([]);
  });

  it("a second import replaces the user's accounts and profile, and their own statements; shared instruments stay", async () => {
    const first = validFile();
    first.user.id = "pf-reimport";
    await importPortfolio(db, parsePortfolioFile(first));
    const before = await tableCounts(db);

    const second = {
      user: { id: "pf-reimport", display_name: "Renamed" },
      accounts: [
        { name: "Only", type: "taxable", cash_balance: 10, positions: [{ symbol: "PFNEWX", quantity: 2, price: 99 }] },
      ],
    };
    await importPortfolio(db, parsePortfolioFile(second));
    const portfolio = (await loadPortfolio(db, "pf-reimport"))!;
    expect(portfolio.user).toMatchObject({ display_name: "Renamed", current_age: null });
    expect(portfolio.accounts).toHaveLength(1);
    expect(portfolio.accounts[0]).toMatchObject({ name: "Only", type: "taxable", cash_balance: 10 });
    expect(portfolio.accounts[0].positions.map((p) => [p.symbol, p.quantity, p.instrument.current_price])).toEqual([
      ["PFNEWX", 2, 99],
    ]);
    expect(portfolio.accounts[0].positions[0].instrument.name).toBe("New ETF");

    const after = await tableCounts(db);
    expect(after).toEqual({ ...before, accounts: before.accounts - 1, positions: before.positions - 2 });
  });

  it("writes nothing when the import fails part-way", async () => {
    const file = validFile();
    file.user.id = "pf-atomic";
    const before = await tableCounts(db);
    let statements = 0;
    const failing: Db = {
      query: () => Promise.reject(new Error("unused")),
      close: () => db.close(),
      transaction: (work) =>
        db.transaction((tx) =>
          work({
            ...tx,
            transaction: tx.transaction,
            query: (sql, params) => {
              if (++statements === 5) throw new Error("database went away"); // the last of the import's five
              return tx.query(sql, params);
            },
          }),
        ),
    };
    await expect(importPortfolio(failing, parsePortfolioFile(file))).rejects.toThrow("database went away");
    expect(statements).toBe(5);
    expect(await tableCounts(db)).toEqual(before);
    expect(await loadPortfolio(db, "pf-atomic")).toBeUndefined();
  });
});

describe("bad portfolio files", () => {
  const cases: [string, (file: any) => void, RegExp][] = [
    ["zero quantity", (f) => (f.accounts[0].positions[0].quantity = 0), /accounts\[0\]\.positions\[0\]\.quantity/],
    ["negative quantity", (f) => (f.accounts[0].positions[1].quantity = -3), /accounts\[0\]\.positions\[1\]\.quantity/],
    [
      "quantity as text",
      (f) => (f.accounts[1].positions[0].quantity = "10"),
      /accounts\[1\]\.positions\[0\]\.quantity/,
    ],
    [
      "quantity too large for the column",
      (f) => (f.accounts[0].positions[0].quantity = 1e12),
      /accounts\[0\]\.positions\[0\]\.quantity/,
    ],
    [
      "quantity too small for the column",
      (f) => (f.accounts[0].positions[0].quantity = 1e-9),
      /accounts\[0\]\.positions\[0\]\.quantity/,
    ],
    ["unknown account type", (f) => (f.accounts[1].type = "brokerage"), /accounts\[1\]\.type/],
    ["age out of range", (f) => (f.user.current_age = 150), /user\.current_age/],
    [
      "retirement past the horizon (age 100 retiring in 20 years)",
      (f) => Object.assign(f.user, { current_age: 100, years_until_retirement: 20 }),
      /user\.years_until_retirement: retiring at 120 .* must start by 115/,
    ],
    [
      "retirement past the horizon at the default age",
      (f) => Object.assign(f.user, { current_age: undefined, years_until_retirement: 80 }),
      /user\.years_until_retirement: retiring at 120 \(age 40, the default/,
    ],
    ["target success rate over 99%", (f) => (f.retirement = { target_success: 100 }), /retirement\.target_success/],
    ["fractional age", (f) => (f.user.current_age = 40.5), /user\.current_age/],
    ["negative cash", (f) => (f.accounts[0].cash_balance = -1), /accounts\[0\]\.cash_balance/],
    ["cash too large for the column", (f) => (f.accounts[0].cash_balance = 1e11), /accounts\[0\]\.cash_balance/],
    ["interest as a percentage", (f) => (f.accounts[0].cash_interest = 4.5), /accounts\[0\]\.cash_interest/],
    ["negative price", (f) => (f.accounts[0].positions[1].price = -1), /accounts\[0\]\.positions\[1\]\.price/],
    [
      "unknown instrument type",
      (f) => (f.accounts[0].positions[1].instrument_type = "crypto"),
      /accounts\[0\]\.positions\[1\]\.instrument_type/,
    ],
    [
      "symbol with spaces",
      (f) => (f.accounts[0].positions[1].symbol = "NEW X"),
      /accounts\[0\]\.positions\[1\]\.symbol/,
    ],
    ["empty symbol", (f) => (f.accounts[0].positions[1].symbol = "  "), /accounts\[0\]\.positions\[1\]\.symbol/],
    ["missing display name", (f) => delete f.user.display_name, /user\.display_name/],
    [
      "unknown key in a position",
      (f) => (f.accounts[0].positions[0].price_usd = 3),
      /accounts\[0\]\.positions\[0\]: .*price_usd/,
    ],
    ["unknown key in the user", (f) => (f.user.age = 40), /user: .*"age"/],
    ["unknown top-level key", (f) => (f.portfolio = {}), /\(file\): .*"portfolio"/],
    ["accounts not a list", (f) => (f.accounts = { name: "x" }), /\n {2}accounts: /],
    [
      "duplicate symbol in one account (after upper-casing)",
      (f) => f.accounts[0].positions.push({ symbol: "Spy", quantity: 1 }),
      /accounts\[0\]\.positions\[2\]\.symbol: SPY appears twice/,
    ],
  ];

  it.each(cases)("%s → PortfolioFileError naming the field, nothing written", async (_name, breakIt, path) => {
    const before = await tableCounts(db);
    const file = validFile();
    file.user.id = "pf-bad";
    breakIt(file);
    const error = await errorFor(file);
    expect(error.message).toMatch(/bad\.json is not a valid portfolio file/);
    expect(error.message).toMatch(path);
    expect(await tableCounts(db)).toEqual(before);
    expect(await loadPortfolio(db, "pf-bad")).toBeUndefined();
    expect(await getInstruments(db, ["PFBARE2"])).toEqual([]);
  });

  it("the same symbol in two different accounts is fine", () => {
    const file = validFile();
    file.accounts[1].positions.push({ symbol: "spy", quantity: 3 });
    expect(() => parsePortfolioFile(file)).not.toThrow();
  });

  it("lists every problem, one per line", async () => {
    const file = validFile();
    file.accounts[0].positions[0].quantity = 0;
    file.accounts[1].type = "brokerage";
    file.user.current_age = 5;
    const lines = (await errorFor(file)).message.split("\n");
    expect(
      lines
        .slice(1)
        .map((l) => l.trim().split(":")[0])
        .sort(),
    ).toEqual(["accounts[0].positions[0].quantity", "accounts[1].type", "user.current_age"].sort());
  });

  it("reports a file that is not JSON, or cannot be read", async () => {
    expect((await errorFor("{ not json", "broken.json")).message).toMatch(/broken\.json is not JSON/);
    await expect(readPortfolioFile(join(dir, "missing.json"))).rejects.toThrow(/Cannot read .*missing\.json/);
    await expect(readPortfolioFile(join(dir, "missing.json"))).rejects.toBeInstanceOf(PortfolioFileError);
  });

  it("a value the database would refuse never gets past validation", async () => {
    // Boundaries of DECIMAL(20,8) quantity and DECIMAL(12,2) cash: the largest accepted values import fine.
    const file = validFile();
    file.user.id = "pf-bounds";
    file.accounts[0].positions[0].quantity = 999_999_999_999.9999;
    file.accounts[0].positions[1].quantity = 0.00000001;
    file.accounts[0].cash_balance = 9_999_999_999.99;
    await importPortfolio(db, parsePortfolioFile(file));
    const portfolio = (await loadPortfolio(db, "pf-bounds"))!;
    expect(portfolio.accounts[0].cash_balance).toBe(9_999_999_999.99);
    expect(portfolio.accounts[0].positions.map((p) => p.quantity).sort((a, b) => a - b)).toEqual([
      0.00000001, 999_999_999_999.9999,
    ]);
  });
});
