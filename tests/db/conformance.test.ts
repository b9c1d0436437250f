/**
 * The same scenarios through the PGlite driver and through the Data API driver (against the Data API
 * fake, which runs the SQL on a second PGlite and answers in the Data API's shapes). Both must give
 * deep-equal JS values.
 */
import { isDeepStrictEqual } from "node:util";
import { BatchExecuteStatementCommand, ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DataApiDb } from "../../lib/db/data-api.js";
import { type Db, DbError, P } from "../../lib/db/driver.js";
import { migrate } from "../../lib/db/migrate.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import {
  findUntaggedInstrumentsOfJob,
  getInstruments,
  tagUserInstrument,
} from "../../lib/db/repositories/instruments.js";
import {
  claimJobListingUntagged,
  createJob,
  failJob,
  finishJob,
  getJob,
  JobNotRunningError,
  listJobs,
  publishCharts,
  savePayload,
  saveSnapshot,
} from "../../lib/db/repositories/jobs.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { latestMarketPrices, recordPrices } from "../../lib/db/repositories/prices.js";
import { insertTraceSpans, listTraceSpans } from "../../lib/db/repositories/traces.js";
import { getUser, upsertUser } from "../../lib/db/repositories/users.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { seedInstruments } from "../../lib/seed/demo.js";
import { DataApiFake } from "../support/data-api-fake.js";
import { testDb } from "../support/db.js";

type Driver = "pglite" | "data-api";

let pglite: PgliteDb;
let fake: DataApiFake;
let dataApi: DataApiDb;
const migrationRuns: Record<Driver, string[][]> = { pglite: [], "data-api": [] };

/** Runs a scenario on both drivers (PGlite first), each with its own database. */
async function onBoth<T>(scenario: (db: Db, driver: Driver) => Promise<T>): Promise<{ pglite: T; dataApi: T }> {
  return { pglite: await scenario(pglite, "pglite"), dataApi: await scenario(dataApi, "data-api") };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

/** Empties the public schema, then runs the real migrations twice and seeds the reference instruments. */
async function rebuild(db: Db, driver: Driver, wipe: (sql: string) => Promise<unknown>) {
  await wipe("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  migrationRuns[driver].push(await migrate(db));
  migrationRuns[driver].push(await migrate(db));
  await seedInstruments(db);
}

beforeAll(async () => {
  [pglite, fake] = await Promise.all([testDb(), DataApiFake.start()]);
  dataApi = fake.db();
  await rebuild(pglite, "pglite", (sql) => pglite.exec(sql));
  await rebuild(dataApi, "data-api", (sql) => fake.pg.exec(sql));
});

afterAll(async () => {
  await pglite?.close();
  await fake?.close();
});

describe("migrations through each driver", () => {
  it("applies every migration on an empty database, and nothing the second time", () => {
    expect(migrationRuns.pglite).toEqual([
      [
        "001_schema",
        "002_job_owner",
        "003_numbers",
        "004_market_data",
        "005_reliability",
        "006_traces",
        "007_prices_role",
        "008_needs_review",
        "009_snapshot_aggregate",
        "010_job_owner_boot",
        "011_role_limits",
      ],
      [],
    ]);
    expect(migrationRuns["data-api"]).toEqual([
      [
        "001_schema",
        "002_job_owner",
        "003_numbers",
        "004_market_data",
        "005_reliability",
        "006_traces",
        "007_prices_role",
        "008_needs_review",
        "009_snapshot_aggregate",
        "010_job_owner_boot",
        "011_role_limits",
      ],
      [],
    ]);
  });

  it("leaves the same schema and the same recorded versions on both", async () => {
    const result = await onBoth(async (db) => ({
      versions: (await db.query("SELECT version FROM schema_migrations ORDER BY version")).rows,
      tables: (
        await db.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
        )
      ).rows.map((r) => r.table_name),
      triggers: (
        await db.query(
          "SELECT DISTINCT trigger_name FROM information_schema.triggers WHERE trigger_schema = 'public' ORDER BY 1",
        )
      ).rows.map((r) => r.trigger_name),
      instruments: (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM instruments")).rows[0].n,
    }));
    expect(result.pglite).toEqual({
      versions: [
        { version: "001_schema" },
        { version: "002_job_owner" },
        { version: "003_numbers" },
        { version: "004_market_data" },
        { version: "005_reliability" },
        { version: "006_traces" },
        { version: "007_prices_role" },
        { version: "008_needs_review" },
        { version: "009_snapshot_aggregate" },
        { version: "010_job_owner_boot" },
        { version: "011_role_limits" },
      ],
      tables: [
        "accounts",
        "instruments",
        "instruments_untrusted_pre_004",
        "job_traces",
        "jobs",
        "positions",
        "prices",
        "schema_migrations",
        "user_instruments",
        "users",
      ],
      triggers: [
        "instrument_prices_are_plausible",
        "instruments_allocations_sum_to_100",
        "jobs_stay_ended",
        "jobs_stay_theirs_and_final",
        "prices_are_plausible",
        "update_accounts_updated_at",
        "update_instruments_updated_at",
        "update_jobs_updated_at",
        "update_positions_updated_at",
        "update_user_instruments_updated_at",
        "update_users_updated_at",
      ],
      instruments: 22,
    });
    expect(result.dataApi).toEqual(result.pglite);
  });
});

describe("column types", () => {
  const ID = "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b";
  const NULL_ID = "00000000-0000-4000-8000-000000000000";
  const CREATE = `CREATE TABLE conformance_types (
      id UUID PRIMARY KEY, price DECIMAL(12,4), qty DECIMAL(20,8), rate DECIMAL(5,4), doc JSONB, doc_string JSONB,
      label TEXT, name VARCHAR(255), at TIMESTAMPTZ, at_micro TIMESTAMPTZ, at_offset TIMESTAMPTZ, local_ts TIMESTAMP,
      day DATE, n4 INTEGER, n8 BIGINT, flag BOOLEAN, ratio DOUBLE PRECISION, created TIMESTAMPTZ DEFAULT NOW())`;

  type Selected = Awaited<ReturnType<typeof insertAndSelect>>;
  let values: { pglite: Selected; dataApi: Selected };

  async function insertAndSelect(db: Db) {
    await db.query(CREATE);
    const inserted = await db.query(
      `INSERT INTO conformance_types
         (id, price, qty, rate, doc, doc_string, label, name, at, at_micro, at_offset, local_ts, day, n4, n8, flag, ratio)
       VALUES (:id::uuid, :price::numeric, :qty::numeric, :rate::numeric, :doc::jsonb, :doc_string::jsonb,
               :label, :name, :at::timestamptz, '2024-03-05 06:07:08.123456+00', '2024-03-05 08:07:08+02',
               :local_ts::timestamp, :day::date, :n4, :n8, :flag, :ratio)`,
      {
        id: P.uuid(ID),
        price: P.decimal(1234.5678),
        qty: P.decimal("0.00000001"),
        rate: P.decimal(0.045),
        doc: P.json({ a: 1, nested: { b: [1, "x", null, 2.5] }, text: '{"not":"parsed"}' }),
        doc_string: P.json("just a string"),
        label: '{"a":1}',
        name: "[1, 2, 3]",
        at: P.timestamp(new Date("2024-01-02T03:04:05.678Z")),
        local_ts: P.timestamp("2024-06-30T23:59:59Z"),
        day: P.date("2024-02-29"),
        n4: 42,
        n8: 9007199254740991,
        flag: true,
        ratio: 0.25,
      },
    );
    await db.query("INSERT INTO conformance_types (id) VALUES (:id::uuid)", { id: P.uuid(NULL_ID) });
    const { rows } = await db.query(
      `SELECT id, price, qty, rate, doc, doc_string, label, name, at, at_micro, at_offset, local_ts, day, n4, n8, flag, ratio
       FROM conformance_types ORDER BY id`,
    );
    const created = await db.query<{ created: string }>("SELECT created FROM conformance_types WHERE id = :id::uuid", {
      id: P.uuid(ID),
    });
    const expressions = await db.query(
      `SELECT 0.1::numeric + 0.2::numeric AS sum, '{"k": [1]}'::jsonb -> 'k' AS arr, '{"k": "v"}'::json AS js,
              'null'::jsonb AS json_null, NULL::jsonb AS sql_null, count(*) AS n FROM conformance_types`,
    );
    return { insertedCount: inserted.rowCount, rows, created: created.rows[0].created, expressions: expressions.rows };
  }

  beforeAll(async () => {
    values = await onBoth(insertAndSelect);
  });

  it("gives numbers for DECIMAL, objects for JSONB, strings for TEXT, ISO UTC timestamps, YYYY-MM-DD dates", () => {
    expect(values.pglite.insertedCount).toBe(1);
    expect(values.pglite.rows).toEqual([
      {
        id: NULL_ID,
        price: null,
        qty: null,
        rate: null,
        doc: null,
        doc_string: null,
        label: null,
        name: null,
        at: null,
        at_micro: null,
        at_offset: null,
        local_ts: null,
        day: null,
        n4: null,
        n8: null,
        flag: null,
        ratio: null,
      },
      {
        id: ID,
        price: 1234.5678,
        qty: 0.00000001,
        rate: 0.045,
        doc: { a: 1, nested: { b: [1, "x", null, 2.5] }, text: '{"not":"parsed"}' },
        doc_string: "just a string",
        label: '{"a":1}',
        name: "[1, 2, 3]",
        at: "2024-01-02T03:04:05.678Z",
        at_micro: "2024-03-05T06:07:08.123Z",
        at_offset: "2024-03-05T06:07:08.000Z",
        local_ts: "2024-06-30T23:59:59.000Z",
        day: "2024-02-29",
        n4: 42,
        n8: 9007199254740991,
        flag: true,
        ratio: 0.25,
      },
    ]);
    expect(values.pglite.expressions).toEqual([
      { sum: 0.3, arr: [1], js: { k: "v" }, json_null: null, sql_null: null, n: 2 },
    ]);
  });

  it("the Data API driver gives deep-equal values", () => {
    expect(values.dataApi.insertedCount).toBe(values.pglite.insertedCount);
    expect(values.dataApi.rows).toEqual(values.pglite.rows);
    expect(values.dataApi.expressions).toEqual(values.pglite.expressions);
  });

  it("a server-side NOW() comes back as ISO-8601 UTC with Z on both", () => {
    for (const created of [values.pglite.created, values.dataApi.created]) {
      expect(created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Math.abs(Date.parse(created) - Date.now())).toBeLessThan(60_000);
    }
  });

  it("typed parameters need no SQL cast on either driver", async () => {
    const result = await onBoth(async (db) => {
      const { rows } = await db.query(
        `INSERT INTO conformance_types (id, price, doc, at, day)
         VALUES (:id, :price, :doc, :at, :day) RETURNING id, price, doc, at, day`,
        {
          id: P.uuid("11111111-2222-4333-8444-555555555555"),
          price: P.decimal("99.5"),
          doc: P.json({ ok: true }),
          at: P.timestamp("2025-12-31T23:00:00.000Z"),
          day: P.date("2025-01-01"),
        },
      );
      return rows;
    });
    expect(result.pglite).toEqual([
      {
        id: "11111111-2222-4333-8444-555555555555",
        price: 99.5,
        doc: { ok: true },
        at: "2025-12-31T23:00:00.000Z",
        day: "2025-01-01",
      },
    ]);
    expect(result.dataApi).toEqual(result.pglite);
  });
});

describe("JSONB chart publishing", () => {
  async function runningJob(db: Db, user: string): Promise<string> {
    await upsertUser(db, { clerk_user_id: user, display_name: "Charts" });
    const id = await createJob(db, { clerk_user_id: user, request_payload: { note: "x" } });
    expect((await claimJobListingUntagged(db, id, "execution-1"))?.claimed).toBe(true);
    return id;
  }

  it("publishes one attempt's charts whole, replacing an earlier attempt's", async () => {
    const result = await onBoth(async (db, driver) => {
      const id = await runningJob(db, `charts-seq-${driver}`);
      await publishCharts(db, id, { allocation: { type: "pie", values: [1, 2] }, sectors: { type: "bar" } });
      await publishCharts(db, id, {
        allocation: { type: "pie", values: [3] },
        regions: { type: "bar", title: '{"looks":"like json"}' },
      });
      return (await getJob(db, id))!.charts_payload;
    });
    expect(result.pglite).toEqual({
      allocation: { type: "pie", values: [3] },
      regions: { type: "bar", title: '{"looks":"like json"}' },
    });
    expect(result.dataApi).toEqual(result.pglite);
  });

  it("leaves exactly one of 10 concurrent attempts' charts, never a mix", async () => {
    const result = await onBoth(async (db, driver) => {
      const id = await runningJob(db, `charts-par-${driver}`);
      const attempt = (i: number) => Object.fromEntries(Array.from({ length: 3 }, (_, k) => [`chart_${k}`, { i }]));
      await Promise.all(Array.from({ length: 10 }, (_, i) => publishCharts(db, id, attempt(i))));
      return (await getJob(db, id))!.charts_payload as Record<string, { i: number }>;
    });
    for (const charts of [result.pglite, result.dataApi]) {
      expect(Object.keys(charts).sort()).toEqual(["chart_0", "chart_1", "chart_2"]);
      expect(new Set(Object.values(charts).map((c) => c.i)).size).toBe(1);
    }
  });
});

describe("transactions", () => {
  const count = async (db: Db, prefix: string) =>
    (
      await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE clerk_user_id LIKE :p", {
        p: `${prefix}%`,
      })
    ).rows[0].n;

  it("commits when the work succeeds, and the work's result is returned", async () => {
    const result = await onBoth(async (db, driver) => {
      const prefix = `tx-commit-${driver}-`;
      const returned = await db.transaction(async (tx) => {
        await upsertUser(tx, { clerk_user_id: `${prefix}1` });
        await upsertUser(tx, { clerk_user_id: `${prefix}2` });
        return { seenInside: await count(tx, prefix) };
      });
      return { returned, after: await count(db, prefix) };
    });
    expect(result.pglite).toEqual({ returned: { seenInside: 2 }, after: 2 });
    expect(result.dataApi).toEqual(result.pglite);
  });

  it("rolls back everything when the work throws, and rethrows the same error", async () => {
    const result = await onBoth(async (db, driver) => {
      const prefix = `tx-rollback-${driver}-`;
      const boom = new Error("boom");
      const error = await caught(
        db.transaction(async (tx) => {
          await upsertUser(tx, { clerk_user_id: `${prefix}1` });
          expect(await count(tx, prefix)).toBe(1);
          throw boom;
        }),
      );
      return { sameError: error === boom, after: await count(db, prefix) };
    });
    expect(result.pglite).toEqual({ sameError: true, after: 0 });
    expect(result.dataApi).toEqual(result.pglite);
  });

  it("a statement from outside never lands in (and is never rolled back with) an open transaction", async () => {
    const result = await onBoth(async (db, driver) => {
      const prefix = `tx-isolated-${driver}-`;
      let outside: Promise<unknown> | undefined;
      await caught(
        db.transaction(async (tx) => {
          await upsertUser(tx, { clerk_user_id: `${prefix}inside` });
          outside = upsertUser(db, { clerk_user_id: `${prefix}outside` });
          await new Promise((resolve) => setTimeout(resolve, 20));
          await upsertUser(tx, { clerk_user_id: `${prefix}inside2` });
          throw new Error("roll back");
        }),
      );
      await outside;
      const { rows } = await db.query("SELECT clerk_user_id FROM users WHERE clerk_user_id LIKE :p ORDER BY 1", {
        p: `${prefix}%`,
      });
      return rows.map((r) => String(r.clerk_user_id).slice(prefix.length));
    });
    expect(result.pglite).toEqual(["outside"]);
    expect(result.dataApi).toEqual(result.pglite);
  });

  it("a failed statement inside a transaction rolls the whole transaction back", async () => {
    const result = await onBoth(async (db, driver) => {
      const prefix = `tx-sqlerror-${driver}-`;
      const error = await caught(
        db.transaction(async (tx) => {
          await upsertUser(tx, { clerk_user_id: `${prefix}1` });
          await tx.query("INSERT INTO users (clerk_user_id) VALUES (:id)", { id: `${prefix}1` });
        }),
      );
      return { code: (error as DbError).code, isDbError: error instanceof DbError, after: await count(db, prefix) };
    });
    expect(result.pglite).toEqual({ code: "23505", isDbError: true, after: 0 });
    expect(result.dataApi).toEqual(result.pglite);
    expect(fake.openTransactions).toBe(0);
  });
});

describe("errors", () => {
  it("a constraint that fails only at COMMIT is a DbError with its SQLSTATE on both", async () => {
    const result = await onBoth(async (db, driver) => {
      const table = `deferred_${driver.replace("-", "_")}`;
      await db.query(
        `CREATE TABLE ${table} (id INTEGER, CONSTRAINT ${table}_once UNIQUE (id) DEFERRABLE INITIALLY DEFERRED)`,
      );
      const error = await caught(
        db.transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} (id) VALUES (1)`);
          await tx.query(`INSERT INTO ${table} (id) VALUES (1)`);
          return "inserted twice";
        }),
      );
      const rows = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      return { isDbError: error instanceof DbError, code: (error as DbError).code, rows };
    });
    expect(result.pglite).toEqual({ isDbError: true, code: "23505", rows: 0 });
    expect(result.dataApi).toEqual(result.pglite);
  });

  it("a unique violation is a DbError with code 23505 on both", async () => {
    const result = await onBoth(async (db, driver) => {
      const id = `dup-${driver}`;
      await db.query("INSERT INTO users (clerk_user_id) VALUES (:id)", { id });
      const error = await caught(db.query("INSERT INTO users (clerk_user_id) VALUES (:id)", { id }));
      expect(error).toBeInstanceOf(DbError);
      expect((error as DbError).message).toMatch(/duplicate key value violates unique constraint "users_pkey"/);
      return (error as DbError).code;
    });
    expect(result).toEqual({ pglite: "23505", dataApi: "23505" });
  });

  it("check, foreign key and bad input errors carry their SQLSTATE on both", async () => {
    const result = await onBoth(async (db) => {
      const codes = [];
      for (const [sql, params] of [
        ["INSERT INTO users (clerk_user_id, current_age) VALUES ('too-old', 500)", {}],
        ["INSERT INTO accounts (clerk_user_id, account_name) VALUES ('nobody-at-all', 'x')", {}],
        ["SELECT :id::uuid AS id", { id: "not-a-uuid" }],
        ["SELECT 1 / 0 AS x", {}],
        ["SELECT * FROM no_such_table", {}],
      ] as const) {
        const error = await caught(db.query(sql, params));
        codes.push(error instanceof DbError ? error.code : `not a DbError: ${String(error)}`);
      }
      return codes;
    });
    expect(result.pglite).toEqual(["23514", "23503", "22P02", "22012", "42P01"]);
    expect(result.dataApi).toEqual(result.pglite);
  });
});

describe("repository flow", () => {
  const FILE = parsePortfolioFile({
    user: {
      display_name: "Flow Tester",
      current_age: 45,
      years_until_retirement: 20,
      target_retirement_income: 80000.5,
    },
    accounts: [
      {
        name: "Brokerage",
        type: "taxable",
        purpose: '{"a":1}',
        cash_balance: 1234.56,
        cash_interest: 0.0125,
        positions: [
          { symbol: "spy", quantity: 10.5 },
          { symbol: "NEWX", quantity: 3, name: "New ETF", price: 25.5, instrument_type: "etf" },
        ],
      },
      { name: "Roth", type: "roth_ira", cash_balance: 0, positions: [{ symbol: "BND", quantity: 0.12345678 }] },
    ],
  });

  /** Account ids are random per database; everything else must match. */
  const withoutIds = (portfolio: Portfolio | undefined) =>
    portfolio && {
      ...portfolio,
      accounts: portfolio.accounts.map(({ id, ...rest }) => ({ ...rest, idIsUuid: /^[0-9a-f-]{36}$/.test(id) })),
    };

  it("import → loadPortfolio (one statement) → job lifecycle gives the same results on both", async () => {
    const result = await onBoth(async (db, driver) => {
      const userId = await importPortfolio(db, FILE);
      const executedBefore = fake.executed.length;
      let queries = 0;
      const counting: Db = {
        ...db,
        query: (sql, params) => (queries++, db.query(sql, params)),
        transaction: db.transaction.bind(db),
      };
      const portfolio = await loadPortfolio(counting, userId);
      const loadStatements = {
        queries,
        executeStatementCalls: driver === "data-api" ? fake.executed.length - executedBefore : 1,
      };

      const jobId = await createJob(db, { clerk_user_id: userId, request_payload: { focus: "retirement" } });
      const steps: Record<string, unknown> = {};
      steps.pending = (await getJob(db, jobId))!.status;
      steps.claim = (await claimJobListingUntagged(db, jobId, "execution-1"))?.claimed;
      steps.claimAgain = (await claimJobListingUntagged(db, jobId, "execution-2"))?.claimed;
      await saveSnapshot(db, jobId, { portfolio: portfolio!, aggregate: { holdings: 1 } });
      await savePayload(db, jobId, "report_payload", { markdown: "# Report", score: 7.5 });
      await savePayload(db, jobId, "retirement_payload", '{"kept":"as a JSON string"}');
      steps.complete = await finishJob(db, jobId, {});
      steps.completeAgain = await finishJob(db, jobId, {});
      steps.failAfterComplete = await failJob(db, jobId, "too late");
      steps.claimAfterComplete = (await claimJobListingUntagged(db, jobId, "execution-1"))?.claimed;
      steps.writeAfterComplete =
        (await caught(savePayload(db, jobId, "report_payload", {}))) instanceof JobNotRunningError;
      const reopen = await caught(
        db.query("UPDATE jobs SET status = 'running' WHERE id = :id::uuid", { id: P.uuid(jobId) }),
      );
      steps.reopenCode = (reopen as DbError).code;
      const job = (await getJob(db, jobId))!;

      const failing = await createJob(db, { clerk_user_id: userId });
      steps.failPending = await failJob(db, failing, "no model available");
      steps.claimFailed = (await claimJobListingUntagged(db, failing, "execution-1"))?.claimed;
      const failed = (await getJob(db, failing))!;

      return {
        portfolio: withoutIds(portfolio),
        loadStatements,
        steps,
        job: {
          status: job.status,
          request_payload: job.request_payload,
          snapshotMatches: isDeepStrictEqual(job.portfolio_snapshot, portfolio),
          report_payload: job.report_payload,
          retirement_payload: job.retirement_payload,
          summary_payload: job.summary_payload,
          error_message: job.error_message,
          ordered: job.created_at <= job.started_at! && job.started_at! <= job.completed_at!,
        },
        failed: { status: failed.status, error_message: failed.error_message, started_at: failed.started_at },
      };
    });

    expect(result.pglite.portfolio).toEqual({
      user: {
        clerk_user_id: expect.stringMatching(/^local:[0-9a-f]{32}$/), // a hash of the display name
        display_name: "Flow Tester",
        current_age: 45,
        years_until_retirement: 20,
        target_retirement_income: 80000.5,
        annual_contribution: null,
      },
      accounts: [
        {
          idIsUuid: true,
          name: "Brokerage",
          type: "taxable",
          purpose: '{"a":1}',
          cash_balance: 1234.56,
          cash_interest: 0.0125,
          positions: [
            {
              symbol: "NEWX",
              quantity: 3,
              instrument: {
                symbol: "NEWX",
                name: "New ETF",
                instrument_type: "etf",
                current_price: 25.5,
                allocation_asset_class: {},
                allocation_regions: {},
                allocation_sectors: {},
                price_as_of: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
                price_source: "user",
                price_stale: false,
              },
            },
            {
              symbol: "SPY",
              quantity: 10.5,
              instrument: expect.objectContaining({
                name: "SPDR S&P 500 ETF Trust",
                current_price: 450.25,
                allocation_regions: { north_america: 100 },
              }),
            },
          ],
        },
        {
          idIsUuid: true,
          name: "Roth",
          type: "roth_ira",
          purpose: null,
          cash_balance: 0,
          cash_interest: 0,
          positions: [
            {
              symbol: "BND",
              quantity: 0.12345678,
              instrument: expect.objectContaining({ name: "Vanguard Total Bond Market ETF", current_price: 72.5 }),
            },
          ],
        },
      ],
    });
    expect(result.pglite).toMatchObject({
      loadStatements: { queries: 1, executeStatementCalls: 1 },
      steps: {
        pending: "pending",
        claim: true,
        claimAgain: false,
        complete: true,
        completeAgain: false,
        failAfterComplete: false,
        claimAfterComplete: false,
        writeAfterComplete: true,
        reopenCode: "23514",
        failPending: true,
        claimFailed: false,
      },
      job: {
        status: "completed",
        request_payload: { focus: "retirement" },
        snapshotMatches: true,
        report_payload: { markdown: "# Report", score: 7.5 },
        retirement_payload: '{"kept":"as a JSON string"}',
        summary_payload: { prices: {}, actions: [] },
        error_message: null,
        ordered: true,
      },
      failed: { status: "failed", error_message: "no model available", started_at: null },
    });
    expect(result.dataApi).toEqual(result.pglite);
    // loadPortfolio was one ExecuteStatement call on the Data API.
    expect(result.dataApi.loadStatements).toEqual({ queries: 1, executeStatementCalls: 1 });
  });
});

describe("the other repository functions", () => {
  it("give the same results on both (instruments, untagged holdings, users, job listing, chart publishing)", async () => {
    const result = await onBoth(async (db, driver) => {
      const user = `other-repos-${driver}`;
      const file = parsePortfolioFile({
        user: { id: user, display_name: "Other" },
        accounts: [
          {
            name: "A",
            type: "hsa",
            positions: [
              { symbol: "SPY", quantity: 1 },
              { symbol: "ORUNTAG", quantity: 2, price: 3.25 },
            ],
          },
        ],
      });
      await importPortfolio(db, file);
      const jobs: string[] = [];
      for (let i = 0; i < 3; i++) {
        jobs.push(await createJob(db, { clerk_user_id: user }));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const instruments = await getInstruments(db, ["ORUNTAG", "SPY", "MISSING"]);
      const listedSymbols = (await db.query<{ symbol: string }>("SELECT symbol FROM instruments")).rows.map(
        (i) => i.symbol,
      );
      const untagged = await findUntaggedInstrumentsOfJob(db, jobs[0]);
      await tagUserInstrument(db, user, "ORUNTAG", {
        instrument_type: "stock",
        allocation_asset_class: { equity: 100 },
        allocation_regions: { global: 100 },
        allocation_sectors: { other: 100 },
      });
      const tagged = (await loadPortfolio(db, user))!.accounts[0].positions.find(
        (p) => p.symbol === "ORUNTAG",
      )!.instrument;
      const recorded = await recordPrices(db, "market", "2026-11-27", [
        { symbol: "SPY", close: 600.5 },
        { symbol: "ORUNTAG", close: 1 },
      ]);
      const spyAfter = (await getInstruments(db, ["SPY"]))[0];
      const market = await latestMarketPrices(db);
      const untaggedAfter = await findUntaggedInstrumentsOfJob(db, jobs[0]);
      const profile = await getUser(db, user);
      await claimJobListingUntagged(db, jobs[0], "execution-1");
      await publishCharts(db, jobs[0], { x: { data: [1, 2] } });
      const published = (await getJob(db, jobs[0]))!.charts_payload;
      const listed = await listJobs(db, { clerkUserId: user, limit: 2 });
      const listedAll = await listJobs(db, {});
      return {
        instruments,
        listed22NotOwn:
          listedSymbols.length >= 22 && !listedSymbols.includes("ORUNTAG") && listedSymbols.includes("VIG"),
        recorded,
        spyAfter: {
          current_price: spyAfter.current_price,
          price_as_of: spyAfter.price_as_of,
          price_source: spyAfter.price_source,
        },
        market: { as_of: market.as_of, fetched: typeof market.fetched_at === "string" },
        untagged,
        tagged,
        untaggedAfter,
        profile,
        published,
        listed: listed.map((j) => ({ newest: jobs.indexOf(j.id), status: j.status, iso: /Z$/.test(j.created_at) })),
        listedAllHasUser: listedAll.some((j) => j.clerk_user_id === user),
      };
    });
    expect(result.pglite).toMatchObject({
      listed22NotOwn: true,
      untagged: [
        {
          symbol: "ORUNTAG",
          name: "ORUNTAG",
          instrument_type: null,
          current_price: 3.25,
          allocation_asset_class: {},
          allocation_regions: {},
          allocation_sectors: {},
          price_source: "user",
          scope: "user",
        },
      ],
      tagged: {
        symbol: "ORUNTAG",
        name: "ORUNTAG",
        instrument_type: "stock",
        current_price: 3.25,
        allocation_sectors: { other: 100 },
      },
      recorded: ["SPY"],
      spyAfter: { current_price: 600.5, price_as_of: "2026-11-27", price_source: "market" },
      market: { as_of: "2026-11-27", fetched: true },
      untaggedAfter: [],
      profile: { clerk_user_id: "other-repos-pglite", display_name: "Other" },
      published: { x: { data: [1, 2] } },
      listed: [
        { newest: 2, status: "pending", iso: true },
        { newest: 1, status: "pending", iso: true },
      ],
      listedAllHasUser: true,
    });
    expect(result.pglite.instruments.map((i) => i.symbol)).toEqual(["SPY"]);
    expect({ ...result.dataApi, profile: { ...result.dataApi.profile, clerk_user_id: "other-repos-pglite" } }).toEqual(
      result.pglite,
    );
  });
});

describe("Data API fake behaves like the Data API", () => {
  it("sends every query as ExecuteStatement with metadata, binding only what the SQL names", async () => {
    fake.mock.resetHistory();
    await dataApi.query("SELECT :a::text AS a", { a: "x", unused: 1 });
    const calls = fake.mock.commandCalls(ExecuteStatementCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({
      sql: "SELECT :a::text AS a",
      parameters: [{ name: "a", value: { stringValue: "x" } }],
      includeResultMetadata: true,
    });
  });

  it("a string parameter without a hint is a varchar: a UUID column needs the hint or a cast, as in Aurora", async () => {
    const error = await caught(
      dataApi.query("SELECT clerk_user_id FROM jobs WHERE id = :id", { id: "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b" }),
    );
    expect((error as DbError).code).toBe("42883");
    await expect(
      dataApi.query("SELECT clerk_user_id FROM jobs WHERE id = :id", {
        id: P.uuid("6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b"),
      }),
    ).resolves.toEqual({ rows: [], rowCount: 0 });
  });

  it("rejects a TIMESTAMP hint in ISO T…Z form", async () => {
    const send = fake.client.send(
      new ExecuteStatementCommand({
        ...fake.target,
        sql: "SELECT :t AS t",
        parameters: [{ name: "t", value: { stringValue: "2024-01-01T00:00:00Z" }, typeHint: "TIMESTAMP" }],
      }),
    );
    await expect(send).rejects.toMatchObject({
      name: "BadRequestException",
      message: expect.stringMatching(/Timestamp format/),
    });
  });

  it("answers in Data API shapes: records only with a result set, numberOfRecordsUpdated for DML", async () => {
    const base = { ...fake.target, includeResultMetadata: true };
    const select = await fake.client.send(
      new ExecuteStatementCommand({
        ...base,
        sql: "SELECT 1::int4 AS i, 2::int8 AS l, 1.5::numeric AS d, 0.5::float8 AS f, true AS b, NULL::text AS n, now() AS t, '{\"a\":1}'::jsonb AS j",
      }),
    );
    expect(select.records).toHaveLength(1);
    const [i, l, d, f, b, n, t, j] = select.records![0];
    expect({ i, l, d, f, b, n, j }).toEqual({
      i: { longValue: 1 },
      l: { longValue: 2 },
      d: { stringValue: "1.5" },
      f: { doubleValue: 0.5 },
      b: { booleanValue: true },
      n: { isNull: true },
      j: { stringValue: '{"a": 1}' },
    });
    expect(t.stringValue).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?$/);
    expect(select.columnMetadata!.map((c) => c.typeName)).toEqual([
      "int4",
      "int8",
      "numeric",
      "float8",
      "bool",
      "text",
      "timestamptz",
      "jsonb",
    ]);
    expect(select.numberOfRecordsUpdated).toBe(0);

    const update = await fake.client.send(
      new ExecuteStatementCommand({
        ...base,
        sql: "UPDATE instruments SET name = name WHERE symbol IN ('SPY', 'QQQ')",
      }),
    );
    expect(update.records).toBeUndefined();
    expect(update.numberOfRecordsUpdated).toBe(2);
  });

  it("answers formatRecordsAs JSON with Data API JSON values, and runs BatchExecuteStatement per parameter set", async () => {
    const json = await fake.client.send(
      new ExecuteStatementCommand({
        ...fake.target,
        formatRecordsAs: "JSON",
        sql: "SELECT 1::int8 AS l, 2.50::numeric AS d, '{\"a\":1}'::jsonb AS j, '2024-01-02 03:04:05+00'::timestamptz AS t, NULL::text AS n, ARRAY[1,2]::int4[] AS arr",
      }),
    );
    expect(JSON.parse(json.formattedRecords!)).toEqual([
      { l: 1, d: "2.50", j: '{"a": 1}', t: "2024-01-02 03:04:05", n: null, arr: "{1,2}" },
    ]);
    expect(json.records).toBeUndefined();

    const arrays = await fake.client.send(
      new ExecuteStatementCommand({
        ...fake.target,
        sql: "SELECT ARRAY[1,2]::int4[] AS i, ARRAY['a b','c']::text[] AS s",
      }),
    );
    expect(arrays.records![0]).toEqual([
      { arrayValue: { longValues: [1, 2] } },
      { arrayValue: { stringValues: ["a b", "c"] } },
    ]);

    await dataApi.query("CREATE TABLE fake_batch (id INTEGER PRIMARY KEY, label TEXT)");
    const batch = await fake.client.send(
      new BatchExecuteStatementCommand({
        ...fake.target,
        sql: "INSERT INTO fake_batch (id, label) VALUES (:id, :label)",
        parameterSets: [1, 2, 3].map((id) => [
          { name: "id", value: { longValue: id } },
          { name: "label", value: { stringValue: `row ${id}` } },
        ]),
      }),
    );
    expect(batch.updateResults).toHaveLength(3);
    expect((await dataApi.query("SELECT id, label FROM fake_batch ORDER BY id")).rows).toEqual([
      { id: 1, label: "row 1" },
      { id: 2, label: "row 2" },
      { id: 3, label: "row 3" },
    ]);
  });

  it("refuses requests for another cluster or an unknown transaction", async () => {
    await expect(
      fake.client.send(
        new ExecuteStatementCommand({
          ...fake.target,
          resourceArn: "arn:aws:rds:us-east-1:1:cluster:other",
          sql: "SELECT 1",
        }),
      ),
    ).rejects.toMatchObject({ name: "BadRequestException" });
    await expect(
      fake.client.send(new ExecuteStatementCommand({ ...fake.target, transactionId: "nope", sql: "SELECT 1" })),
    ).rejects.toMatchObject({ name: "NotFoundException" });
  });

  it("reports a SQL error with its SQLSTATE in the message", async () => {
    const send = fake.client.send(new ExecuteStatementCommand({ ...fake.target, sql: "SELECT 1/0" }));
    await expect(send).rejects.toMatchObject({
      name: "DatabaseErrorException",
      message: expect.stringMatching(/division by zero.*; SQLState: 22012$/s),
    });
  });

  it("retries DatabaseResumingException through the driver", async () => {
    fake.simulateResuming(2);
    fake.mock.resetHistory();
    await expect(dataApi.query("SELECT 7 AS seven")).resolves.toEqual({ rows: [{ seven: 7 }], rowCount: 1 });
    expect(fake.mock.commandCalls(ExecuteStatementCommand)).toHaveLength(3);
  });
});

describe("job traces", () => {
  it("batch-insert and read back the same spans on both (one JSON parameter through jsonb_to_recordset)", async () => {
    const result = await onBoth(async (db, driver) => {
      const user = `traces-${driver}`;
      await upsertUser(db, { clerk_user_id: user });
      const jobId = await createJob(db, { clerk_user_id: user });
      const base = {
        job_id: jobId,
        trace_id: "trace_1",
        execution_id: null,
        state: "Plan analysis",
        model: null,
        error: null,
      };
      await insertTraceSpans(db, [
        {
          ...base,
          span_id: "span_a",
          parent_id: null,
          kind: "agent",
          name: "Planner",
          started_at: "2026-12-02T10:00:00.000Z",
          duration_ms: 12,
          input_tokens: null,
          output_tokens: null,
          detail: { tools: ["run_reporter"] },
        },
        {
          ...base,
          span_id: "span_b",
          parent_id: "span_a",
          kind: "generation",
          name: "model call",
          started_at: "2026-12-02T10:00:00.005Z",
          duration_ms: 3,
          model: "offline",
          input_tokens: 120,
          output_tokens: 30,
          error: "it's <broken>",
          detail: { finish_reason: "stop" },
        },
      ]);
      return (await listTraceSpans(db, jobId)).map(({ job_id, ...span }) => ({ ...span, ownJob: job_id === jobId }));
    });
    expect(result.pglite).toHaveLength(2);
    expect(result.pglite[1]).toMatchObject({
      parent_id: "span_a",
      input_tokens: 120,
      started_at: "2026-12-02T10:00:00.005Z",
      error: "it's <broken>",
      ownJob: true,
    });
    expect(result.dataApi).toEqual(result.pglite);
  });
});

describe("portfolio rows' compact encoding (values only, decimals trimmed, allocations hand-built)", () => {
  it("reads back exactly the values imported, on both drivers", async () => {
    const odd = 'Zoë "Q" \\ O\'Brien 😀 张伟 \u2028 \u{1F468}\u200D\u{1F469} end';
    const retirement = {
      contribution_growth: -0.0125,
      withdrawal_tax_rate: 0.6,
      income: [{ name: `Pension ${odd}`, annual_amount: 1e12, start_age: 67, inflation_linked: false }],
      assumptions: {
        returns: { equity: { mean: 0.0712345, volatility: 0.18, source: odd } },
        inflation: { mean: 0.025 },
      },
      target_success: 99,
    };
    const fileOf = (driver: Driver) =>
      parsePortfolioFile({
        user: {
          id: `encoding-${driver}`,
          display_name: odd,
          current_age: 18,
          years_until_retirement: 0,
          target_retirement_income: 1e9,
          annual_contribution: 123456.78,
        },
        accounts: [
          {
            name: `A ${odd}`,
            type: "taxable",
            purpose: `purpose ${odd}`,
            cash_balance: 1234567.89,
            cash_interest: 0.0125,
            positions: [
              { symbol: "SPY", quantity: 0.00012345 },
              { symbol: "ENCUSER", quantity: 0.5, price: 999_999, name: `N ${odd}`, instrument_type: "etf" },
              { symbol: "ENCNONE", quantity: 999_999_999_999.9999 },
              { symbol: "ENCMIN", quantity: 0.00000001, price: 0.01 },
            ],
          },
          { name: "B empty", type: "roth_ira", positions: [] },
          {
            name: "C max",
            type: "hsa",
            cash_balance: 9_999_999_999.99,
            cash_interest: 1,
            positions: [{ symbol: "ENCUSER", quantity: 12.3456789 }],
          },
        ],
        retirement,
      });
    const oddRegions = { 'a"b': 1.5, "c\\d": 2, 日本: 0.125, "é😀": 96.375, "\u2028": 0 };
    const result = await onBoth(async (db, driver) => {
      const file = fileOf(driver);
      const user = await importPortfolio(db, file);
      await tagUserInstrument(db, user, "ENCNONE", {
        instrument_type: "stock",
        allocation_asset_class: { equity: 60.5, fixed_income: 39.5 },
        allocation_regions: { north_america: 100 },
        allocation_sectors: { technology: 33.33, healthcare: 66.67 },
      });
      await db.query(
        `UPDATE user_instruments SET allocation_regions = :regions::jsonb WHERE clerk_user_id = :user AND symbol = 'ENCUSER'`,
        { user, regions: P.json(oddRegions) },
      );
      const portfolio = (await loadPortfolio(db, user))!;
      const byName = new Map(portfolio.accounts.map((a) => [a.name, a]));

      const { id: _id, ...fileUser } = file.user;
      expect(portfolio.user).toEqual({ clerk_user_id: user, ...fileUser, retirement_plan: file.retirement });
      expect(file.retirement).toEqual(retirement);
      expect(portfolio.accounts).toHaveLength(3);
      for (const account of file.accounts) {
        const loaded = byName.get(account.name)!;
        expect(loaded, account.name).toBeDefined();
        expect({ ...loaded, id: undefined, positions: loaded.positions.map((p) => [p.symbol, p.quantity]) }).toEqual({
          id: undefined,
          name: account.name,
          type: account.type,
          purpose: account.purpose ?? null,
          cash_balance: account.cash_balance,
          cash_interest: account.cash_interest,
          positions: account.positions
            .map((p) => [p.symbol, p.quantity])
            .sort(([a], [b]) => String(a).localeCompare(String(b))),
        });
      }
      const instrument = (account: string, symbol: string) =>
        byName.get(account)!.positions.find((p) => p.symbol === symbol)!.instrument;
      const userPriced = instrument(`A ${odd}`, "ENCUSER");
      expect(userPriced).toMatchObject({
        name: `N ${odd}`,
        instrument_type: "etf",
        current_price: 999_999,
        price_source: "user",
        price_stale: false,
        allocation_regions: oddRegions,
        allocation_asset_class: {},
      });
      // Keys in jsonb's own order, as PostgreSQL's JSON of the column gave them.
      const keys = await db.query<{ k: string }>("SELECT jsonb_object_keys(:r::jsonb) AS k", { r: P.json(oddRegions) });
      expect(Object.keys(userPriced.allocation_regions)).toEqual(keys.rows.map((r) => r.k));
      expect(instrument("C max", "ENCUSER")).toEqual(userPriced);
      expect(instrument(`A ${odd}`, "ENCNONE")).toMatchObject({
        name: "ENCNONE",
        instrument_type: "stock",
        current_price: null,
        price_as_of: null,
        price_source: null,
        price_stale: false,
        allocation_asset_class: { equity: 60.5, fixed_income: 39.5 },
        allocation_regions: { north_america: 100 },
        allocation_sectors: { technology: 33.33, healthcare: 66.67 },
      });
      expect(instrument(`A ${odd}`, "ENCMIN").current_price).toBe(0.01);
      expect(instrument(`A ${odd}`, "SPY").price_source).not.toBeNull();
      return {
        ...portfolio,
        user: { ...portfolio.user, clerk_user_id: "x" },
        accounts: portfolio.accounts.map(({ id, ...rest }) => rest),
      };
    });
    expect(result.dataApi).toEqual(result.pglite);
  });
});
