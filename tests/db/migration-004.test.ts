import { describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../../lib/db/migrate.js";
import { emptyDb } from "../support/db.js";

describe("migration 004_market_data on a database written by 001/002", () => {
  it("moves user-given instruments to each holder, keeps every old row, and starts the price history", {
    timeout: 120_000,
  }, async () => {
    const db = await emptyDb();
    try {
      const all = readMigrations();
      await migrate(
        db,
        all.filter((m) => m.version < "004"),
      );
      await db.query(`INSERT INTO instruments (symbol, name, instrument_type, current_price, allocation_asset_class)
        VALUES ('SPY', 'SPDR S&P 500 ETF Trust', 'etf', 450.25, '{"equity":100}'),
               ('SHRX', 'Totally Safe Bond Fund', NULL, 9999, '{"fixed_income":100}'),
               ('ORPH', 'Held by nobody', NULL, 1, '{}')`);
      for (const user of ["a", "b"]) {
        await db.query("INSERT INTO users (clerk_user_id) VALUES (:u)", { u: user });
        const { rows } = await db.query<{ id: string }>(
          "INSERT INTO accounts (clerk_user_id, account_name) VALUES (:u, 'acc') RETURNING id",
          { u: user },
        );
        await db.query(
          "INSERT INTO positions (account_id, symbol, quantity) VALUES (:a::uuid, 'SHRX', 100), (:a::uuid, 'SPY', 1)",
          { a: rows[0].id },
        );
      }

      expect(await migrate(db, all)).toContain("004_market_data");

      expect((await db.query("SELECT symbol, current_price, price_as_of, price_source FROM instruments")).rows).toEqual(
        [{ symbol: "SPY", current_price: 450.25, price_as_of: "2024-01-02", price_source: "seed" }],
      );
      expect((await db.query("SELECT symbol, close, as_of, source FROM prices")).rows).toEqual([
        { symbol: "SPY", close: 450.25, as_of: "2024-01-02", source: "seed" },
      ]);
      expect(
        (
          await db.query(
            "SELECT clerk_user_id, symbol, name, price, allocation_asset_class FROM user_instruments ORDER BY 1",
          )
        ).rows,
      ).toEqual([
        {
          clerk_user_id: "a",
          symbol: "SHRX",
          name: "Totally Safe Bond Fund",
          price: 9999,
          allocation_asset_class: { fixed_income: 100 },
        },
        {
          clerk_user_id: "b",
          symbol: "SHRX",
          name: "Totally Safe Bond Fund",
          price: 9999,
          allocation_asset_class: { fixed_income: 100 },
        },
      ]);
      expect(
        (await db.query("SELECT symbol, name, current_price FROM instruments_untrusted_pre_004 ORDER BY symbol")).rows,
      ).toEqual([
        { symbol: "ORPH", name: "Held by nobody", current_price: 1 },
        { symbol: "SHRX", name: "Totally Safe Bond Fund", current_price: 9999 },
      ]);
      expect((await db.query<{ n: number }>("SELECT count(*)::int AS n FROM positions")).rows[0].n).toBe(4);
    } finally {
      await db.close();
    }
  });
});
