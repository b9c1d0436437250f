import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refreshPrices } from "../../functions/refresh-prices.js";
import { loadConfig } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { APP_DB_ROLE, PRICES_DB_ROLE } from "../../lib/db/roles.js";
import { PolygonProvider } from "../../lib/market/polygon.js";
import { ensureFreshPrices } from "../../lib/market/refresh.js";
import { FakePolygon, groupedDaily } from "../market/fake-polygon.js";
import { testDb } from "../support/db.js";

/** Runs `sql`, expecting PostgreSQL's "insufficient privilege" (42501). */
async function refused(db: PgliteDb, sql: string) {
  const error = await db.query(sql).then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(error?.code, `${sql} was allowed`).toBe("42501");
}

/**
 * Every table's privileges for `role`: table-wide ones, then column-only ones as `PRIV(col, …)`. A new
 * table needs a decision in a migration, and this table in the test changes with it.
 */
async function grantsOf(db: PgliteDb, role: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ table_name: string; privileges: string }>(
    `WITH grantee AS (SELECT oid FROM pg_roles WHERE rolname = :role),
     table_privileges AS (
       SELECT c.oid, acl.privilege_type AS privilege FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) acl
       WHERE acl.grantee = (SELECT oid FROM grantee)
     ),
     column_privileges AS (
       SELECT c.oid, acl.privilege_type || '(' || string_agg(a.attname, ', ' ORDER BY a.attname) || ')' AS privilege
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid CROSS JOIN LATERAL aclexplode(a.attacl) acl
       WHERE acl.grantee = (SELECT oid FROM grantee)
         AND NOT EXISTS (SELECT 1 FROM table_privileges t WHERE t.oid = c.oid AND t.privilege = acl.privilege_type)
       GROUP BY c.oid, acl.privilege_type
     ),
     privileges AS (SELECT * FROM table_privileges UNION ALL SELECT * FROM column_privileges)
     SELECT c.relname AS table_name, COALESCE(string_agg(p.privilege, ',' ORDER BY p.privilege), '') AS privileges
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN privileges p ON p.oid = c.oid
     WHERE n.nspname = 'public' AND c.relkind = 'r' GROUP BY c.relname ORDER BY c.relname`,
    { role },
  );
  return Object.fromEntries(rows.map((r) => [r.table_name, r.privileges]));
}

/** Runs `work` as `role` (SET ROLE), then back as the owner. */
async function as<T>(db: PgliteDb, role: string, work: () => Promise<T>): Promise<T> {
  await db.query(`SET ROLE ${role}`);
  try {
    return await work();
  } finally {
    await db.query("RESET ROLE");
  }
}

/** The application role the functions connect as: only the DML they need (migrations 005, 006, 007). */
describe(`the ${APP_DB_ROLE} database role`, () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await testDb();
  });
  afterAll(() => db.close());

  it.each([
    "DROP TABLE jobs",
    "ALTER TABLE jobs ADD COLUMN sneaky TEXT",
    "ALTER TABLE users DISABLE TRIGGER ALL",
    "TRUNCATE jobs",
    "CREATE TABLE exfil (x TEXT)",
    "SELECT * FROM schema_migrations",
    "DELETE FROM jobs",
    "DELETE FROM users",
    "INSERT INTO users (clerk_user_id) VALUES ('intruder')",
    "UPDATE accounts SET cash_balance = 0",
    "INSERT INTO jobs (clerk_user_id) VALUES ('demo_user')",
    // Prices come from the refresh (alex_prices) only.
    "UPDATE instruments SET current_price = 1 WHERE symbol = 'SPY'",
    "UPDATE instruments SET name = 'Renamed' WHERE symbol = 'SPY'",
    "INSERT INTO prices (symbol, close, as_of, source) VALUES ('SPY', 1, DATE '2026-11-30', 'market')",
    "UPDATE prices SET close = 1",
    "SELECT set_app_role_password('x')",
    "SELECT set_prices_role_password('x')",
    "CREATE ROLE another",
  ])("cannot: %s", (sql) => as(db, APP_DB_ROLE, () => refused(db, sql)));

  it("can read what the functions read and write what they write", async () => {
    const tagged = await as(db, APP_DB_ROLE, async () => {
      for (const table of ["users", "accounts", "positions", "instruments", "jobs", "prices"])
        await db.query(`SELECT count(*) FROM ${table}`);
      await db.query("UPDATE jobs SET error_message = error_message WHERE false");
      return db.query(
        `UPDATE instruments SET allocation_regions = allocation_regions, instrument_type = instrument_type
         WHERE symbol = 'SPY'`,
      );
    });
    expect(tagged.rowCount).toBe(1);
  });

  it("has a grant decision for every table (a new table needs one in a migration)", async () => {
    expect(await grantsOf(db, APP_DB_ROLE)).toEqual({
      accounts: "SELECT",
      instruments: "SELECT,UPDATE(allocation_asset_class, allocation_regions, allocation_sectors, instrument_type)",
      instruments_untrusted_pre_004: "",
      job_traces: "INSERT,SELECT",
      jobs: "SELECT,UPDATE",
      positions: "SELECT",
      prices: "SELECT",
      schema_migrations: "",
      user_instruments:
        "SELECT,UPDATE(allocation_asset_class, allocation_regions, allocation_sectors, instrument_type)",
      users: "SELECT",
    });
  });
});

/**
 * The role the refresh-prices function connects as (migration 007): it reads the shared instruments,
 * moves their current price and adds to the price history — and cannot read any user's data.
 */
describe(`the ${PRICES_DB_ROLE} database role`, () => {
  const polygon = new FakePolygon();
  let baseUrl: string;
  let db: PgliteDb;
  beforeAll(async () => {
    baseUrl = await polygon.start();
    db = await testDb();
  });
  afterAll(async () => {
    await db.close();
    await polygon.stop();
  });

  it.each([
    "SELECT * FROM users",
    "SELECT * FROM accounts",
    "SELECT * FROM positions",
    "SELECT * FROM jobs",
    "SELECT * FROM user_instruments",
    "SELECT * FROM job_traces",
    "SELECT * FROM instruments_untrusted_pre_004",
    "SELECT * FROM schema_migrations",
    "UPDATE jobs SET status = 'failed'",
    "DROP TABLE prices",
    "ALTER TABLE prices ADD COLUMN sneaky TEXT",
    "ALTER TABLE instruments DROP COLUMN current_price",
    "TRUNCATE prices",
    "DELETE FROM prices",
    "DELETE FROM instruments",
    "CREATE TABLE exfil (x TEXT)",
    "INSERT INTO instruments (symbol, name) VALUES ('NEW', 'New')",
    "UPDATE instruments SET name = 'Renamed', allocation_regions = '{}' WHERE symbol = 'SPY'",
    "UPDATE prices SET symbol = 'QQQ'",
    "SELECT set_prices_role_password('x')",
    "SELECT set_app_role_password('x')",
    "CREATE ROLE another",
  ])("cannot: %s", (sql) => as(db, PRICES_DB_ROLE, () => refused(db, sql)));

  it("runs the real refresh-prices task: records the day's closes and moves the instruments' prices", async () => {
    polygon.answer = (url) => {
      const date = /stocks\/(\d{4}-\d{2}-\d{2})/.exec(url)?.[1] ?? "";
      return {
        status: 200,
        body: groupedDaily(date, [
          ["SPY", 601.25],
          ["QQQ", 512.5],
          ["AAPL", 230],
        ]),
      };
    };
    const config = loadConfig({ POLYGON_API_KEY: "test-key", POLYGON_BASE_URL: baseUrl });
    const result = await as(db, PRICES_DB_ROLE, () => refreshPrices({ execution_id: "exec-1" }, { db, config }));
    expect(result).toMatchObject({ status: "refreshed", provider: "polygon", recorded: 2 });
    const asOf = (result as { as_of: string }).as_of;

    // The same day again (a second run within the day): the recorded close is replaced, not duplicated.
    polygon.answer = () => ({ status: 200, body: groupedDaily(asOf, [["SPY", 602]]) });
    const provider = new PolygonProvider({ apiKey: "test-key", baseUrl, retries: 0 });
    const again = await as(db, PRICES_DB_ROLE, () =>
      ensureFreshPrices(db, { name: provider.name, dailyCloses: () => provider.dailyCloses(asOf) }, { maxAgeHours: 0 }),
    );
    expect(again).toMatchObject({ status: "refreshed", as_of: asOf, recorded: 1 });

    const market = await db.query("SELECT symbol, close, as_of FROM prices WHERE source = 'market' ORDER BY symbol");
    expect(market.rows).toEqual([
      { symbol: "QQQ", close: 512.5, as_of: asOf },
      { symbol: "SPY", close: 602, as_of: asOf },
    ]);
    const instruments = await db.query(
      "SELECT symbol, current_price, price_as_of, price_source FROM instruments WHERE symbol IN ('SPY', 'QQQ') ORDER BY symbol",
    );
    expect(instruments.rows).toEqual([
      { symbol: "QQQ", current_price: 512.5, price_as_of: asOf, price_source: "market" },
      { symbol: "SPY", current_price: 602, price_as_of: asOf, price_source: "market" },
    ]);
  });

  it("has exactly the grants the refresh needs", async () => {
    expect(await grantsOf(db, PRICES_DB_ROLE)).toEqual({
      accounts: "",
      instruments: "SELECT,UPDATE(current_price, price_as_of, price_source)",
      instruments_untrusted_pre_004: "",
      job_traces: "",
      jobs: "",
      positions: "",
      prices: "INSERT,SELECT,UPDATE(close, fetched_at, flag)",
      schema_migrations: "",
      user_instruments: "",
      users: "",
    });
  });
});

/** The error `work` fails with (undefined when it succeeds). */
const failure = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );

/**
 * What the roles may do to rows they can reach (migration 011): a job stays with its user and is final
 * once ended; a user's own prices are the user's; prices are never from the future or implausible
 * without a flag. Each refusal is proven as the role, on PGlite.
 */
describe("row limits of the functions' roles (migration 011)", () => {
  let db: PgliteDb;
  const job = async (user: string, status: string) => {
    const reason = status === "failed" ? "'it failed'" : "NULL";
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO jobs (clerk_user_id, status, error_message, report_payload)
       VALUES ('${user}', '${status}', ${reason}, '{"text": "the report"}') RETURNING id`,
    );
    return rows[0].id;
  };
  beforeAll(async () => {
    db = await testDb();
    for (const user of ["roles-alice", "roles-bob"]) {
      await db.query(`INSERT INTO users (clerk_user_id) VALUES ('${user}')`);
      await db.query(
        `INSERT INTO user_instruments (clerk_user_id, symbol, name, price, price_as_of)
         VALUES ('${user}', 'OWNF', 'Own Fund', 12.5, DATE '2026-11-30')`,
      );
    }
  });
  afterAll(() => db.close());

  it.each(["completed", "failed"])("%s: the app role cannot rewrite a job that ended", async (status) => {
    const id = await job("roles-alice", status);
    for (const assignment of [
      `report_payload = '{"text": "rewritten"}'`,
      "summary_payload = '{}'",
      "status = 'running'",
      "error_message = 'other'",
    ]) {
      const error = await as(db, APP_DB_ROLE, () =>
        failure(db.query(`UPDATE jobs SET ${assignment} WHERE id = '${id}'`)),
      );
      // Reopening is refused by 001's "ended jobs stay ended" (23514) before 011's check gets to it.
      expect(["42501", "23514"], assignment).toContain(error?.code);
      expect(error?.message).toMatch(new RegExp(`(ended as|already ended as) ${status}`));
    }
    const { rows } = await db.query(`SELECT report_payload FROM jobs WHERE id = '${id}'`);
    expect(rows[0]).toEqual({ report_payload: { text: "the report" } });
  });

  it("the app role still writes a running job, and ends it", async () => {
    const id = await job("roles-alice", "running");
    const ended = await as(db, APP_DB_ROLE, async () => {
      await db.query(`UPDATE jobs SET report_payload = '{"text": "new"}' WHERE id = '${id}'`);
      return db.query(`UPDATE jobs SET status = 'completed', completed_at = NOW() WHERE id = '${id}'`);
    });
    expect(ended.rowCount).toBe(1);
  });

  it.each([APP_DB_ROLE, "the owner"])("%s cannot move a job to another user", async (role) => {
    const id = await job("roles-alice", "running");
    const move = () => failure(db.query(`UPDATE jobs SET clerk_user_id = 'roles-bob' WHERE id = '${id}'`));
    const error = role === APP_DB_ROLE ? await as(db, APP_DB_ROLE, move) : await move();
    expect(error?.message).toContain("cannot be moved to another");
    expect((await db.query(`SELECT clerk_user_id FROM jobs WHERE id = '${id}'`)).rows).toEqual([
      { clerk_user_id: "roles-alice" },
    ]);
  });

  it.each([
    "UPDATE user_instruments SET price = 0.01 WHERE clerk_user_id = 'roles-bob'",
    "UPDATE user_instruments SET price_as_of = DATE '2099-01-01'",
    "UPDATE user_instruments SET name = 'Renamed'",
    "UPDATE user_instruments SET clerk_user_id = 'roles-alice' WHERE clerk_user_id = 'roles-bob'",
  ])("the app role cannot change a user's own instrument: %s", (sql) => as(db, APP_DB_ROLE, () => refused(db, sql)));

  it("the app role tags a user's own instrument only while that user has a job running", async () => {
    const tag = () =>
      as(db, APP_DB_ROLE, () =>
        db.query(
          `UPDATE user_instruments SET allocation_asset_class = '{"equity": 100}' WHERE symbol = 'OWNF' RETURNING clerk_user_id`,
        ),
      );
    await db.query("UPDATE jobs SET status = 'failed', error_message = 'test' WHERE status IN ('pending', 'running')");
    expect((await tag()).rows).toEqual([]);
    await job("roles-bob", "running");
    expect((await tag()).rows).toEqual([{ clerk_user_id: "roles-bob" }]);
    expect(
      (await db.query("SELECT clerk_user_id, price FROM user_instruments WHERE symbol = 'OWNF' ORDER BY 1")).rows,
    ).toEqual([
      { clerk_user_id: "roles-alice", price: 12.5 },
      { clerk_user_id: "roles-bob", price: 12.5 },
    ]);
  });

  const today = () => new Date().toISOString().slice(0, 10);
  const daysFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  it.each([
    [
      "a close dated 2099",
      "INSERT INTO prices (symbol, close, as_of, source) VALUES ('QQQ', 500, DATE '2099-01-02', 'market')",
    ],
    [
      "a close dated the day after tomorrow",
      () =>
        `INSERT INTO prices (symbol, close, as_of, source) VALUES ('QQQ', 500, DATE '${daysFromToday(2)}', 'market')`,
    ],
    ["an instrument priced as of 2099", "UPDATE instruments SET price_as_of = DATE '2099-01-02' WHERE symbol = 'QQQ'"],
  ] as [string, string | (() => string)][])("the prices role cannot write %s", async (_name, sql) => {
    const statement = typeof sql === "string" ? sql : sql();
    const error = await as(db, PRICES_DB_ROLE, () => failure(db.query(statement)));
    expect(error?.message).toContain("after today (UTC)");
  });

  it("the prices role may date a close tomorrow (a day of slack for time zones)", async () => {
    const { rowCount } = await as(db, PRICES_DB_ROLE, () =>
      db.query(
        `INSERT INTO prices (symbol, close, as_of, source) VALUES ('IWM', 200, DATE '${daysFromToday(1)}', 'market')`,
      ),
    );
    expect(rowCount).toBe(1);
    expect(today() < daysFromToday(1)).toBe(true);
  });

  it("the prices role's bound widens with the days between closes, and it cannot move a price's date back to widen it", async () => {
    await db.query(
      "INSERT INTO prices (symbol, close, as_of, source) VALUES ('SLV', 22.4, DATE '2024-01-02', 'market')",
    );
    const years = await as(db, PRICES_DB_ROLE, () =>
      db.query("INSERT INTO prices (symbol, close, as_of, source) VALUES ('SLV', 70, DATE '2026-11-02', 'market')"),
    );
    expect(years.rowCount).toBe(1);
    const nextDay = await as(db, PRICES_DB_ROLE, () =>
      failure(
        db.query("INSERT INTO prices (symbol, close, as_of, source) VALUES ('SLV', 250, DATE '2026-11-03', 'market')"),
      ),
    );
    expect(nextDay?.message).toContain("moves implausibly far from the previous 70");
    await db.query("UPDATE instruments SET current_price = 70, price_as_of = DATE '2026-11-02' WHERE symbol = 'SLV'");
    const back = await as(db, PRICES_DB_ROLE, () =>
      failure(db.query("UPDATE instruments SET price_as_of = DATE '2000-01-03' WHERE symbol = 'SLV'")),
    );
    expect(back?.message).toContain("cannot move back");
    const jump = await as(db, PRICES_DB_ROLE, () =>
      failure(
        db.query("UPDATE instruments SET current_price = 0.01, price_as_of = DATE '2026-11-03' WHERE symbol = 'SLV'"),
      ),
    );
    expect(jump?.message).toContain("a flagged close never becomes the current price");
  });

  it("the prices role cannot record SPY $450 → $0.01 without a flag, nor make a flagged close the current price", async () => {
    await db.query(
      "INSERT INTO prices (symbol, close, as_of, source) VALUES ('SPY', 450, DATE '2026-11-02', 'market')",
    );
    const unflagged = await as(db, PRICES_DB_ROLE, () =>
      failure(
        db.query("INSERT INTO prices (symbol, close, as_of, source) VALUES ('SPY', 0.01, DATE '2026-11-03', 'market')"),
      ),
    );
    expect(unflagged?.message).toContain("moves implausibly far from the previous 450");
    const moved = await as(db, PRICES_DB_ROLE, () =>
      failure(db.query("UPDATE instruments SET current_price = 0.01 WHERE symbol = 'SPY'")),
    );
    expect(moved?.message).toContain("a flagged close never becomes the current price");
    const flagged = await as(db, PRICES_DB_ROLE, () =>
      db.query(
        `INSERT INTO prices (symbol, close, as_of, source, flag)
         VALUES ('SPY', 0.01, DATE '2026-11-03', 'market', 'implausible: 450 → 0.01') RETURNING flag`,
      ),
    );
    expect(flagged.rows).toEqual([{ flag: "implausible: 450 → 0.01" }]);
    const plausible = await as(db, PRICES_DB_ROLE, () =>
      db.query("INSERT INTO prices (symbol, close, as_of, source) VALUES ('SPY', 452, DATE '2026-11-04', 'market')"),
    );
    expect(plausible.rowCount).toBe(1);
  });
});
