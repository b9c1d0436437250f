import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type Db, DbError, P } from "../../lib/db/driver.js";
import { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import {
  findUntaggedInstrumentsOfJob,
  getInstruments,
  upsertInstrument,
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
import { priceHistory, recordPrices } from "../../lib/db/repositories/prices.js";
import { getUser, upsertUser } from "../../lib/db/repositories/users.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { testDb } from "../support/db.js";

let db: PgliteDb;

/** Stores a user's holdings the way every portfolio arrives: an imported portfolio file. */
async function importHoldings(id: string, accounts: unknown[]): Promise<void> {
  await importPortfolio(db, parsePortfolioFile({ user: { id, display_name: id }, accounts }));
}

beforeAll(async () => {
  db = await testDb();
});
afterAll(() => db?.close());

/** Wraps a Db so every statement it runs (also inside transactions) is counted. */
function counting(inner: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const wrap = (target: Db): Db => ({
    query: (sql, params) => {
      statements.push(sql);
      return target.query(sql, params);
    },
    transaction: (work) => target.transaction((tx) => work(wrap(tx))),
    close: () => target.close(),
  });
  return { db: wrap(inner), statements };
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

const today = () => new Date().toISOString().slice(0, 10);
const symbolOf = (i: number) => `R${String(i).padStart(4, "0")}`;

describe("loadPortfolio", () => {
  it("loads 5 positions in one statement, with accounts, positions and instruments", async () => {
    const userId = await importPortfolio(
      db,
      parsePortfolioFile({
        user: { id: "repo-five", display_name: "Five", current_age: 50, annual_contribution: 12000 },
        accounts: [
          {
            name: "A 401(k)",
            type: "401k",
            purpose: "retirement",
            cash_balance: 5000,
            cash_interest: 0.045,
            positions: [
              { symbol: "SPY", quantity: 100 },
              { symbol: "QQQ", quantity: 50 },
              { symbol: "BND", quantity: 200 },
            ],
          },
          {
            name: "B Roth",
            type: "roth_ira",
            cash_balance: 1000,
            positions: [
              { symbol: "VEA", quantity: 150 },
              { symbol: "GLD", quantity: 25 },
            ],
          },
          { name: "C Empty", type: "hsa", cash_balance: 2500 },
        ],
      }),
    );
    const counter = counting(db);
    const portfolio = (await loadPortfolio(counter.db, userId))!;
    expect(counter.statements).toHaveLength(1);

    expect(portfolio.user).toEqual({
      clerk_user_id: "repo-five",
      display_name: "Five",
      current_age: 50,
      years_until_retirement: null,
      target_retirement_income: null,
      annual_contribution: 12000,
    });
    expect(
      portfolio.accounts.map((a) => [
        a.name,
        a.type,
        a.purpose,
        a.cash_balance,
        a.cash_interest,
        a.positions.map((p) => [p.symbol, p.quantity]),
      ]),
    ).toEqual([
      [
        "A 401(k)",
        "401k",
        "retirement",
        5000,
        0.045,
        [
          ["BND", 200],
          ["QQQ", 50],
          ["SPY", 100],
        ],
      ],
      [
        "B Roth",
        "roth_ira",
        null,
        1000,
        0,
        [
          ["GLD", 25],
          ["VEA", 150],
        ],
      ],
      ["C Empty", "hsa", null, 2500, 0, []],
    ]);
    for (const account of portfolio.accounts)
      expect(account.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(portfolio.accounts.map((a) => a.id)).size).toBe(3);
    const gld = portfolio.accounts[1].positions[0].instrument;
    expect(gld).toEqual({
      symbol: "GLD",
      name: "SPDR Gold Shares",
      instrument_type: "etf",
      current_price: 195.7,
      allocation_asset_class: { commodities: 100 },
      allocation_regions: { global: 100 },
      allocation_sectors: { commodities: 100 },
      expense_ratio: 0.004,
      price_as_of: "2024-01-02",
      price_source: "seed",
      price_stale: false,
    });
    expect(portfolio.accounts[0].positions[0].instrument.allocation_sectors).toEqual({
      treasury: 42,
      corporate: 24,
      mortgage: 27,
      government_related: 7,
    });
  });

  it("loads 500 positions in one statement too", async () => {
    const positions = Array.from({ length: 500 }, (_, i) => ({
      symbol: symbolOf(i),
      quantity: i + 1,
      name: `Fund ${i}`,
      price: i / 4,
    }));
    const userId = await importPortfolio(
      db,
      parsePortfolioFile({
        user: { id: "repo-500", display_name: "Many" },
        accounts: [
          { name: "Big", type: "taxable", positions: positions.slice(0, 300) },
          { name: "Bigger", type: "other", positions: positions.slice(300) },
        ],
      }),
    );
    const counter = counting(db);
    const portfolio = (await loadPortfolio(counter.db, userId))!;
    expect(counter.statements).toHaveLength(1);
    const loaded = portfolio.accounts.flatMap((a) => a.positions);
    expect(portfolio.accounts.map((a) => a.positions.length)).toEqual([300, 200]);
    expect(loaded.map((p) => p.symbol)).toEqual(positions.map((p) => p.symbol));
    expect(loaded.map((p) => p.quantity)).toEqual(positions.map((p) => p.quantity));
    expect(loaded[499].instrument).toEqual({
      symbol: "R0499",
      name: "Fund 499",
      instrument_type: null,
      current_price: 124.75,
      allocation_asset_class: {},
      allocation_regions: {},
      allocation_sectors: {},
      price_as_of: today(),
      price_source: "user",
      price_stale: false,
    });
  });

  it("gives a user without accounts an empty list, and an unknown user undefined", async () => {
    await upsertUser(db, { clerk_user_id: "repo-no-accounts", display_name: "Nobody Yet" });
    expect(await loadPortfolio(db, "repo-no-accounts")).toEqual({
      user: {
        clerk_user_id: "repo-no-accounts",
        display_name: "Nobody Yet",
        current_age: null,
        years_until_retirement: null,
        target_retirement_income: null,
        annual_contribution: null,
      },
      accounts: [],
    });
    expect(await loadPortfolio(db, "repo-does-not-exist")).toBeUndefined();
  });

  it("an instrument without a price loads with a null price", async () => {
    await importHoldings("repo-unpriced", [
      { name: "Acc", type: "other", positions: [{ symbol: "RNOPRICE", quantity: 3, name: "No Price Yet" }] },
    ]);
    const portfolio = (await loadPortfolio(db, "repo-unpriced"))!;
    expect(portfolio.accounts[0].positions[0]).toMatchObject({
      symbol: "RNOPRICE",
      quantity: 3,
      instrument: { current_price: null, price_as_of: null, price_source: null },
    });
  });
});

describe("instruments", () => {
  it("upsertInstrument keeps a stored price and allocations when later upserts omit them", async () => {
    const created = await upsertInstrument(db, {
      symbol: "RKEEP",
      name: "Keep Fund",
      instrument_type: "etf",
      current_price: 99,
    });
    expect(created).toEqual({
      symbol: "RKEEP",
      name: "Keep Fund",
      instrument_type: "etf",
      current_price: null,
      allocation_asset_class: {},
      allocation_regions: {},
      allocation_sectors: {},
      price_as_of: null,
      price_source: null,
    });
    expect(await recordPrices(db, "market", "2026-11-27", [{ symbol: "RKEEP", close: 12.3456 }])).toEqual(["RKEEP"]);

    const renamed = await upsertInstrument(db, { symbol: "RKEEP", name: "Keep Fund (renamed)", current_price: 1 });
    expect(renamed).toMatchObject({
      name: "Keep Fund (renamed)",
      instrument_type: "etf",
      current_price: 12.3456,
      price_as_of: "2026-11-27",
    });

    const tagged = await upsertInstrument(db, {
      symbol: "RKEEP",
      name: "Keep Fund (renamed)",
      allocation_asset_class: { equity: 100 },
      allocation_regions: { europe: 100 },
      allocation_sectors: { technology: 100 },
    });
    expect(tagged).toEqual({
      symbol: "RKEEP",
      name: "Keep Fund (renamed)",
      instrument_type: "etf",
      current_price: 12.3456,
      allocation_asset_class: { equity: 100 },
      allocation_regions: { europe: 100 },
      allocation_sectors: { technology: 100 },
      price_as_of: "2026-11-27",
      price_source: "market",
    });
    expect(await getInstruments(db, ["RKEEP"])).toEqual([tagged]);
  });

  it("recordPrices keeps history and moves the current price forward only", async () => {
    await upsertInstrument(db, { symbol: "RHIST", name: "History Fund" });
    await recordPrices(db, "market", "2026-11-27", [
      { symbol: "RHIST", close: 10 },
      { symbol: "RNOTSHARED", close: 5 },
    ]);
    await recordPrices(db, "market", "2026-11-25", [{ symbol: "RHIST", close: 9 }]);
    await recordPrices(db, "seed", "2026-11-27", [{ symbol: "RHIST", close: 1 }]);
    expect((await getInstruments(db, ["RHIST"]))[0]).toMatchObject({
      current_price: 10,
      price_as_of: "2026-11-27",
      price_source: "market",
    });
    expect((await priceHistory(db, "RHIST")).map((p) => [p.as_of, p.source, p.close])).toEqual([
      ["2026-11-27", "market", 10],
      ["2026-11-27", "seed", 1],
      ["2026-11-25", "market", 9],
    ]);
    expect(await priceHistory(db, "RNOTSHARED")).toEqual([]);
    await recordPrices(db, "market", "2026-11-30", [{ symbol: "RHIST", close: 11 }]);
    expect((await getInstruments(db, ["RHIST"]))[0]).toMatchObject({ current_price: 11, price_as_of: "2026-11-30" });
  });

  it("a user's own instrument is theirs alone; a shared one keeps its trusted name and price", async () => {
    await importHoldings("repo-own-a", [
      { name: "acc ROWN", type: "other", positions: [{ symbol: "ROWN", quantity: 1, name: "A's Fund", price: 9999 }] },
    ]);
    await importHoldings("repo-own-b", [
      { name: "acc ROWN", type: "other", positions: [{ symbol: "ROWN", quantity: 1, name: "B's Fund", price: 10 }] },
      { name: "acc SPY", type: "other", positions: [{ symbol: "SPY", quantity: 1, name: "Not SPY", price: 1 }] },
    ]);
    const instruments = async (user: string) =>
      (await loadPortfolio(db, user))!.accounts.flatMap((a) =>
        a.positions.map((p) => [p.symbol, p.instrument.name, p.instrument.current_price, p.instrument.price_source]),
      );
    expect(await instruments("repo-own-a")).toEqual([["ROWN", "A's Fund", 9999, "user"]]);
    expect(await instruments("repo-own-b")).toEqual([
      ["ROWN", "B's Fund", 10, "user"],
      ["SPY", "SPDR S&P 500 ETF Trust", 450.25, "seed"],
    ]);
    expect(await getInstruments(db, ["ROWN"])).toEqual([]);
  });

  it("findUntaggedInstrumentsOfJob lists only the job owner's holdings lacking an allocation, shared and own", async () => {
    await upsertInstrument(db, { symbol: "RUNTAG1", name: "Untagged One" });
    await upsertInstrument(db, { symbol: "RPARTIAL", name: "Partly Tagged", allocation_asset_class: { equity: 100 } });
    await upsertInstrument(db, { symbol: "RUNTAG2", name: "Untagged Two" });
    await upsertInstrument(db, { symbol: "RUNHELD", name: "Untagged, Held By Nobody" });
    await importHoldings("repo-tag-a", [
      {
        name: "one",
        type: "taxable",
        positions: [
          { symbol: "SPY", quantity: 1 },
          { symbol: "RUNTAG1", quantity: 1 },
        ],
      },
      {
        name: "two",
        type: "hsa",
        positions: [
          { symbol: "RUNTAG1", quantity: 2 }, // held twice, listed once
          { symbol: "RPARTIAL", quantity: 1 },
        ],
      },
    ]);
    await importHoldings("repo-tag-b", [
      {
        name: "one",
        type: "taxable",
        positions: [
          { symbol: "RUNTAG2", quantity: 1 },
          { symbol: "RMINE", quantity: 1, name: "B's Own" },
        ],
      },
    ]);

    const untaggedOf = async (clerk_user_id: string) =>
      findUntaggedInstrumentsOfJob(db, await createJob(db, { clerk_user_id }));
    const a = await untaggedOf("repo-tag-a");
    expect(a.map((i) => i.symbol)).toEqual(["RPARTIAL", "RUNTAG1"]);
    expect(a[0]).toMatchObject({ name: "Partly Tagged", instrument_type: null, current_price: null });
    expect(a.map((i) => i.scope)).toEqual(["shared", "shared"]);
    expect((await untaggedOf("repo-tag-b")).map((i) => [i.symbol, i.scope])).toEqual([
      ["RMINE", "user"],
      ["RUNTAG2", "shared"],
    ]);
    await upsertUser(db, { clerk_user_id: "repo-tag-nobody" });
    expect(await untaggedOf("repo-tag-nobody")).toEqual([]);
  });

  it("importing again replaces the quantity of a symbol already held", async () => {
    const qqq = (quantity: number) => [
      { name: "acc", type: "other" as const, positions: [{ symbol: "QQQ", quantity }] },
    ];
    await importHoldings("repo-pos", qqq(5));
    await importHoldings("repo-pos", qqq(7.25));
    expect((await loadPortfolio(db, "repo-pos"))!.accounts[0].positions.map((p) => [p.symbol, p.quantity])).toEqual([
      ["QQQ", 7.25],
    ]);
  });
});

describe("users", () => {
  it("upsertUser creates and then updates a profile", async () => {
    expect(
      await upsertUser(db, {
        clerk_user_id: "repo-user",
        display_name: '{"a":1}',
        current_age: 30,
        target_retirement_income: 1234.5,
      }),
    ).toEqual({
      clerk_user_id: "repo-user",
      display_name: '{"a":1}',
      current_age: 30,
      years_until_retirement: null,
      target_retirement_income: 1234.5,
      annual_contribution: null,
    });
    await upsertUser(db, { clerk_user_id: "repo-user", display_name: "Renamed", years_until_retirement: 10 });
    expect(await getUser(db, "repo-user")).toMatchObject({
      display_name: "Renamed",
      years_until_retirement: 10,
      current_age: null,
    });
    expect(await getUser(db, "repo-user-unknown")).toBeUndefined();
  });
});

describe("jobs", () => {
  const user = "repo-jobs";
  beforeAll(async () => {
    await upsertUser(db, { clerk_user_id: user });
  });

  it("creates a pending job with defaults", async () => {
    const id = await createJob(db, { clerk_user_id: user });
    const job = (await getJob(db, id))!;
    expect(job).toMatchObject({
      id,
      clerk_user_id: user,
      job_type: "portfolio_analysis",
      status: "pending",
      request_payload: null,
      portfolio_snapshot: null,
      report_payload: null,
      charts_payload: null,
      retirement_payload: null,
      summary_payload: null,
      error_message: null,
      started_at: null,
      completed_at: null,
    });
    expect(job.created_at).toMatch(/Z$/);
  });

  it("claims only a pending job, once", async () => {
    const id = await createJob(db, {
      clerk_user_id: user,
      job_type: "retirement_projection",
      request_payload: { years: 30 },
    });
    const results = await Promise.all(
      ["execution-1", "execution-2", "execution-3"].map(
        async (e) => (await claimJobListingUntagged(db, id, e))?.claimed,
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const owner = ["execution-1", "execution-2", "execution-3"][results.indexOf(true)];
    const job = (await getJob(db, id))!;
    expect(job).toMatchObject({ status: "running", job_type: "retirement_projection", request_payload: { years: 30 } });
    expect(job.started_at).toMatch(/Z$/);
    expect(job.claimed_by).toBe(owner);
    expect((await claimJobListingUntagged(db, id, "execution-4"))?.claimed).toBe(false);
    expect((await claimJobListingUntagged(db, id, owner))?.claimed).toBe(true);
    expect((await getJob(db, id))!.started_at).toBe(job.started_at);
  });

  it("lets only the owning execution fail a running job", async () => {
    const id = await createJob(db, { clerk_user_id: user });
    await claimJobListingUntagged(db, id, "execution-1");
    expect(await failJob(db, id, "duplicate delivery failed", "execution-2")).toBe(false);
    expect((await getJob(db, id))!.status).toBe("running");
    expect(await failJob(db, id, "owner failed", "execution-1")).toBe(true);
    expect((await getJob(db, id))!.error_message).toBe("owner failed");
  });

  it("writes every payload column of a running job, then completes it", async () => {
    const id = await createJob(db, { clerk_user_id: user });
    await claimJobListingUntagged(db, id, "execution-1");
    const snapshot = (await loadPortfolio(db, "repo-five")) as Portfolio;
    await saveSnapshot(db, id, { portfolio: snapshot, aggregate: { of: "repo-five" } });
    await savePayload(db, id, "report_payload", { markdown: "# Hi" });
    await savePayload(db, id, "retirement_payload", { success_rate: 0.73 });
    await savePayload(db, id, "summary_payload", { text: "ok" });
    await publishCharts(db, id, { a: { v: 1 } });
    await publishCharts(db, id, { b: { v: 2 } });
    expect(await finishJob(db, id, {})).toBe(true);
    expect(await getJob(db, id)).toMatchObject({
      status: "completed",
      portfolio_snapshot: snapshot,
      report_payload: { markdown: "# Hi" },
      retirement_payload: { success_rate: 0.73 },
      summary_payload: { text: "ok" },
      charts_payload: { b: { v: 2 } },
      error_message: null,
    });
    expect(await finishJob(db, id, {})).toBe(false);
    expect(await failJob(db, id, "late failure")).toBe(false);
    expect((await claimJobListingUntagged(db, id, "execution-1"))?.claimed).toBe(false);
    expect((await getJob(db, id))!.status).toBe("completed");
  });

  it("refuses payload writes on a job that is not running, writing nothing", async () => {
    const pending = await createJob(db, { clerk_user_id: user });
    await expect(savePayload(db, pending, "report_payload", { x: 1 })).rejects.toBeInstanceOf(JobNotRunningError);
    await expect(publishCharts(db, pending, { k: { x: 1 } })).rejects.toBeInstanceOf(JobNotRunningError);
    await expect(saveSnapshot(db, pending, { portfolio: {} as Portfolio, aggregate: {} })).rejects.toBeInstanceOf(
      JobNotRunningError,
    );
    expect(await getJob(db, pending)).toMatchObject({
      status: "pending",
      report_payload: null,
      charts_payload: null,
      portfolio_snapshot: null,
    });

    const done = await createJob(db, { clerk_user_id: user });
    await claimJobListingUntagged(db, done, "execution-1");
    await finishJob(db, done, {});
    await expect(savePayload(db, done, "summary_payload", { x: 1 })).rejects.toBeInstanceOf(JobNotRunningError);
    await expect(publishCharts(db, done, {})).rejects.toBeInstanceOf(JobNotRunningError);
    await expect(savePayload(db, "7b0c0a6e-0000-4000-8000-000000000000", "summary_payload", 1)).rejects.toThrow(
      /not running/,
    );
    expect((await getJob(db, done))!.summary_payload).toEqual({ prices: {}, actions: [] }); // finishJob's, not { x: 1 }
  });

  it("fails a job with a reason; the database refuses a failed job without one", async () => {
    const id = await createJob(db, { clerk_user_id: user });
    expect((await claimJobListingUntagged(db, id, "execution-1"))?.claimed).toBe(true);
    expect(await failJob(db, id, "model timed out")).toBe(true);
    expect(await getJob(db, id)).toMatchObject({ status: "failed", error_message: "model timed out" });
    expect((await getJob(db, id))!.completed_at).toMatch(/Z$/);

    const empty = await createJob(db, { clerk_user_id: user });
    expect(await failJob(db, empty, "")).toBe(true);
    expect((await getJob(db, empty))!.error_message).toBe("unknown error");

    const long = await createJob(db, { clerk_user_id: user });
    await failJob(db, long, "x".repeat(10_000));
    expect((await getJob(db, long))!.error_message).toHaveLength(4000);

    const raw = await createJob(db, { clerk_user_id: user });
    const error = await caught(db.query("UPDATE jobs SET status = 'failed' WHERE id = :id::uuid", { id: P.uuid(raw) }));
    expect(error).toBeInstanceOf(DbError);
    expect((error as DbError).code).toBe("23514");
    expect((error as DbError).message).toMatch(/jobs_failed_has_reason/);
  });

  it("the database never lets an ended job change status", async () => {
    const completed = await createJob(db, { clerk_user_id: user });
    await claimJobListingUntagged(db, completed, "execution-1");
    await finishJob(db, completed, {});
    const failed = await createJob(db, { clerk_user_id: user });
    await failJob(db, failed, "broken");
    for (const [id, to] of [
      [completed, "running"],
      [completed, "pending"],
      [completed, "failed"],
      [failed, "running"],
      [failed, "completed"],
    ]) {
      const error = await caught(
        db.query("UPDATE jobs SET status = :to, error_message = 'x' WHERE id = :id::uuid", { id: P.uuid(id), to }),
      );
      expect(error).toBeInstanceOf(DbError);
      expect((error as DbError).code).toBe("23514");
      expect((error as DbError).message).toMatch(/already ended as (completed|failed)/);
    }
    expect((await getJob(db, completed))!.status).toBe("completed");
    expect((await getJob(db, failed))!.status).toBe("failed");
    // Other columns of an ended job can still change (e.g. housekeeping); only status is frozen.
    await db.query("UPDATE jobs SET status = status WHERE id = :id::uuid", { id: P.uuid(completed) });
  });

  it("rejects an unknown status and job type", async () => {
    const id = await createJob(db, { clerk_user_id: user });
    const status = await caught(db.query("UPDATE jobs SET status = 'paused' WHERE id = :id::uuid", { id: P.uuid(id) }));
    expect((status as DbError).code).toBe("23514");
    const type = await caught(createJob(db, { clerk_user_id: user, job_type: "astrology" }));
    expect((type as DbError).code).toBe("23514");
  });

  it("getJob on a malformed id is undefined without touching the database", async () => {
    const counter = counting(db);
    for (const id of ["", "not-a-uuid", "1; DROP TABLE jobs", "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4"]) {
      expect(await getJob(counter.db, id)).toBeUndefined();
    }
    expect(counter.statements).toEqual([]);
    expect(await getJob(counter.db, "6f1c2b9e-3d4a-4e5f-8a7b-9c0d1e2f3a4b")).toBeUndefined();
    expect(counter.statements).toHaveLength(1);
  });

  it("listJobs gives a user's jobs newest first, without payloads, up to the limit", async () => {
    const listUser = "repo-jobs-list";
    await upsertUser(db, { clerk_user_id: listUser });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await createJob(db, { clerk_user_id: listUser }));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const listed = await listJobs(db, { clerkUserId: listUser });
    expect(listed.map((j) => j.id)).toEqual([...ids].reverse());
    expect(Object.keys(listed[0]).sort()).toEqual(
      ["clerk_user_id", "completed_at", "created_at", "error_message", "id", "job_type", "started_at", "status"].sort(),
    );
    expect((await listJobs(db, { clerkUserId: listUser, limit: 2 })).map((j) => j.id)).toEqual([ids[2], ids[1]]);
    expect((await listJobs(db, { limit: 1000 })).some((j) => j.clerk_user_id === user)).toBe(true);
  });
});

describe("PgliteDb.open", () => {
  let root: string;
  let dir: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "alex-open-"));
    dir = join(root, "nested", "pg");
    mkdirSync(join(root, "nested"));
    // Lay the template down as the data directory, so opening it skips initdb.
    cpSync(inject("dbTemplateDir"), dir, { recursive: true });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("refuses a second open of the same directory in one process, and releases the lock on close", async () => {
    const first = await PgliteDb.open(dir);
    try {
      expect(JSON.parse(readFileSync(`${dir}.lock`, "utf8")).pid).toBe(process.pid);
      const error = await caught(PgliteDb.open(dir));
      expect(error).toBeInstanceOf(DbError);
      expect((error as Error).message).toMatch(
        new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is in use by process ${process.pid}`),
      );
      expect((await first.query<{ n: number }>("SELECT count(*)::int AS n FROM instruments")).rows[0].n).toBe(22);
    } finally {
      await first.close();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("refuses a directory locked by another live process", async () => {
    writeFileSync(`${dir}.lock`, "1");
    try {
      await expect(PgliteDb.open(dir)).rejects.toThrow(/in use by process 1\b/);
    } finally {
      rmSync(`${dir}.lock`, { force: true });
    }
  });

  it("takes over a stale lock left by a dead process", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    expect(dead).toBeGreaterThan(0);
    writeFileSync(`${dir}.lock`, String(dead));
    const db2 = await PgliteDb.open(dir);
    try {
      expect(JSON.parse(readFileSync(`${dir}.lock`, "utf8")).pid).toBe(process.pid);
      expect((await db2.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    } finally {
      await db2.close();
    }
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });
});

describe("the database keeps allocations summing to 100 (003_numbers)", () => {
  it.each([
    [{ equity: 60 }, /FUNDX: allocation_asset_class sums to 60, not 100/],
    [{ equity: 70, fixed_income: 40 }, /FUNDX: allocation_asset_class sums to 110, not 100/],
    [{ equity: -5, cash: 105 }, /FUNDX: allocation_asset_class has a value that is not a non-negative number/],
  ])("refuses %o, naming the symbol and dimension", async (allocation, message) => {
    const db = await testDb();
    try {
      await expect(
        db.query(
          `INSERT INTO instruments (symbol, name, allocation_asset_class) VALUES ('FUNDX', 'Fund X', :a::jsonb)`,
          { a: P.json(allocation) },
        ),
      ).rejects.toThrow(message);
    } finally {
      await db.close();
    }
  });

  it("accepts an empty allocation and one within 0.01 of 100", async () => {
    const db = await testDb();
    try {
      await db.query(`INSERT INTO instruments (symbol, name, allocation_regions) VALUES ('OKX', 'OK', :a::jsonb)`, {
        a: P.json({ europe: 33.33, asia: 33.33, north_america: 33.33 }),
      });
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM instruments WHERE symbol = 'OKX'`);
      expect(rows[0].n).toBe(1);
    } finally {
      await db.close();
    }
  });
});
