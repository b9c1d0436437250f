import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import { PgliteDb } from "../../lib/db/pglite.js";

const dir = mkdtempSync(join(tmpdir(), "alex-two-users-"));
const db = join(dir, "db");

function portfolioFile(id: string, name: string, price: number): string {
  const path = join(dir, `${id}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      user: { id, display_name: id },
      accounts: [{ name: "Brokerage", type: "taxable", positions: [{ symbol: "SHRX", quantity: 100, name, price }] }],
    }),
  );
  return path;
}

async function run(args: string[]): Promise<{ code: number; json: Record<string, any> }> {
  const out: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  const code = await main([...args, "--db", db, "--json"]);
  vi.restoreAllMocks();
  return { code, json: JSON.parse(out.join("")) };
}

describe("two users holding the same unknown symbol (issue 9's SHRX case) on one database", () => {
  // The database exists before the first command, as the CLI would have made it (migrated, reference
  // instruments): a copy of the run's template, so the test does not build the CLI's own (main.test.ts does).
  beforeAll(() => cpSync(inject("dbTemplateDir"), db, { recursive: true }));
  afterEach(() => vi.restoreAllMocks());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("values each at their own price, tags each from their own name, and leaves the shared data alone", {
    timeout: 240_000,
  }, async () => {
    const a = portfolioFile("user-a", "Totally Safe Bond Fund", 9999);
    const b = portfolioFile("user-b", "Shrike Robotics ETF", 10);

    const aValued = await run(["portfolio", "--portfolio", a]);
    expect(aValued.json.portfolio.total_value).toBe(999_900);
    const aJob = await run(["analyze", "--portfolio", a, "--out", join(dir, "out")]);
    expect(aJob.code).toBe(0);

    const bValued = await run(["portfolio", "--portfolio", b]);
    expect(bValued.json.portfolio.total_value).toBe(1_000);
    expect(bValued.json.portfolio.positions[0]).toMatchObject({
      symbol: "SHRX",
      name: "Shrike Robotics ETF",
      price: 10,
      price_source: "user",
    });
    const bJob = await run(["analyze", "--portfolio", b, "--out", join(dir, "out")]);
    expect(bJob.code).toBe(0);
    // The page names its person from the users table (this job has no retirement outlook to name them).
    expect(readFileSync(join(dir, "out", bJob.json.id, "index.html"), "utf8")).toContain(
      "<h1>user-b's portfolio analysis</h1>",
    );
    expect(bJob.json.summary_payload.portfolio.total_value).toBe(1_000);
    expect(bJob.json.summary_payload.tagging.tagged).toEqual(["SHRX"]);
    expect((await run(["portfolio", "--portfolio", a])).json.portfolio.total_value).toBe(999_900);

    const pg = await PgliteDb.open(db);
    try {
      expect((await pg.query("SELECT symbol FROM instruments WHERE symbol = 'SHRX'")).rows).toEqual([]);
      expect((await pg.query("SELECT symbol FROM prices WHERE symbol = 'SHRX'")).rows).toEqual([]);
      const own = await pg.query(
        "SELECT clerk_user_id, name, price, allocation_asset_class FROM user_instruments WHERE symbol = 'SHRX' ORDER BY clerk_user_id",
      );
      expect(own.rows).toEqual([
        {
          clerk_user_id: "user-a",
          name: "Totally Safe Bond Fund",
          price: 9999,
          allocation_asset_class: { fixed_income: 100 },
        },
        { clerk_user_id: "user-b", name: "Shrike Robotics ETF", price: 10, allocation_asset_class: { equity: 100 } },
      ]);
    } finally {
      await pg.close();
    }
  });
});
