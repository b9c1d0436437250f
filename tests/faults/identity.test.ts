import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { PortfolioFileError, parsePortfolioFile, userIdOf } from "../../lib/portfolio/portfolio-file.js";
import { testDb } from "../support/db.js";

/** Issue 23: one person's file never overwrites another's, and what cannot be valued exactly never imports. */
let db: PgliteDb;
beforeAll(async () => {
  db = await testDb();
});
afterAll(() => db.close());

const fileOf = (displayName: string, positions: object[], extra: object = {}) =>
  parsePortfolioFile({
    user: { display_name: displayName },
    accounts: [{ name: "Taxable", type: "taxable", positions }],
    ...extra,
  });

const symbolsOf = async (userId: string) =>
  (await loadPortfolio(db, userId))?.accounts.flatMap((a) => a.positions.map((p) => p.symbol));

const countUsers = async () => Number((await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM users")).rows[0].n);

describe("users without an id", () => {
  it("张伟 and 李娜 are two people: importing one keeps the other's holdings", async () => {
    const zhang = await importPortfolio(db, fileOf("张伟", [{ symbol: "SPY", quantity: 10 }]));
    const li = await importPortfolio(db, fileOf("李娜", [{ symbol: "BND", quantity: 20 }]));
    expect(zhang).not.toBe(li);
    expect(await symbolsOf(zhang)).toEqual(["SPY"]);
    expect(await symbolsOf(li)).toEqual(["BND"]);
  });

  it('"Sam Smith" and "sam.smith!" are two people', async () => {
    const sam = await importPortfolio(db, fileOf("Sam Smith", [{ symbol: "VTI", quantity: 1 }]));
    const other = await importPortfolio(db, fileOf("sam.smith!", [{ symbol: "QQQ", quantity: 2 }]));
    expect(sam).not.toBe(other);
    expect(await symbolsOf(sam)).toEqual(["VTI"]);
    expect(await symbolsOf(other)).toEqual(["QQQ"]);
  });

  it("the same name (in either Unicode form) is the same person: a new import replaces their own portfolio", async () => {
    const first = await importPortfolio(db, fileOf("José", [{ symbol: "SPY", quantity: 1 }]));
    const again = await importPortfolio(db, fileOf("Jose\u0301", [{ symbol: "GLD", quantity: 3 }]));
    expect(again).toBe(first);
    expect(await symbolsOf(first)).toEqual(["GLD"]);
  });

  it("an explicit user.id is taken as given", () => {
    const file = parsePortfolioFile({ user: { id: "li-na-2", display_name: "李娜" }, accounts: [] });
    expect(userIdOf(file)).toBe("li-na-2");
  });
});

describe("one symbol at two prices", () => {
  it("is refused with both field paths, and nothing is imported", async () => {
    const before = await countUsers();
    const data = {
      user: { id: "two-prices", display_name: "Two Prices" },
      accounts: [
        { name: "A", type: "taxable", positions: [{ symbol: "ZZPRIV", quantity: 1000, price: 50 }] },
        { name: "B", type: "roth_ira", positions: [{ symbol: "ZZPRIV", quantity: 1000, price: 10_000 }] },
      ],
    };
    const error = (() => {
      try {
        parsePortfolioFile(data);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(PortfolioFileError);
    expect(error?.message).toContain("accounts[1].positions[0].price");
    expect(error?.message).toContain("accounts[0].positions[0].price");
    expect(await countUsers()).toBe(before);
  });

  it("the same price stated twice is fine", () => {
    const position = { symbol: "ZZPRIV", quantity: 1, price: 50 };
    expect(() =>
      parsePortfolioFile({
        user: { id: "same-price", display_name: "Same" },
        accounts: [
          { name: "A", type: "taxable", positions: [position] },
          { name: "B", type: "roth_ira", positions: [position] },
        ],
      }),
    ).not.toThrow();
  });
});

describe("amounts beyond what the money type holds exactly", () => {
  it("a stated value beyond $1e12 is refused at the position's path", () => {
    expect(() => fileOf("Huge", [{ symbol: "ZZBIG", quantity: 2_000_000_000, price: 999_999 }])).toThrow(
      /accounts\[0\]\.positions\[0\]\.quantity: is worth 2\.000e\+15 .*above \$1,000,000,000,000/,
    );
  });

  it("many values that add up beyond $1e12 are refused", () => {
    const positions = Array.from({ length: 3 }, (_, i) => ({
      symbol: `ZZB${i}`,
      quantity: 600_000,
      price: 999_999,
    }));
    expect(() => fileOf("Adds up", positions)).toThrow(/accounts: add up to more than \$1,000,000,000,000/);
  });

  it("beyond $1e12 at the reference price is refused at import, and nothing is written", async () => {
    const before = await countUsers();
    const file = parsePortfolioFile({
      user: { id: "huge-spy", display_name: "Huge" },
      accounts: [{ name: "A", type: "taxable", positions: [{ symbol: "SPY", quantity: 999_999_999_999 }] }],
    });
    await expect(importPortfolio(db, file)).rejects.toThrow(/not held exactly\. Nothing was imported/);
    expect(await countUsers()).toBe(before);
    expect(await loadPortfolio(db, "huge-spy")).toBeUndefined();
  });

  it("just within the bound imports", async () => {
    const file = fileOf("Rich", [{ symbol: "ZZRICH", quantity: 1_000_000, price: 999_999 }]);
    expect(await symbolsOf(await importPortfolio(db, file))).toEqual(["ZZRICH"]);
  });
});
