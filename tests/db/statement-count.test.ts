import { BeginTransactionCommand, CommitTransactionCommand, ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingDb, type DbCounter } from "../../lib/db/counting-db.js";
import type { Db } from "../../lib/db/driver.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { getInstruments } from "../../lib/db/repositories/instruments.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { type PortfolioFile, parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { executeLocally } from "../../state-machine/local-executor.js";
import { offlineDeps } from "../support/agents.js";
import { DataApiFake } from "../support/data-api-fake.js";
import { testDb } from "../support/db.js";

// A "statement" is one `Db.query` call: one ExecuteStatement call on the Data API, one query on PGlite,
// inside a transaction or not. BEGIN/COMMIT are counted apart (`transactions`): the Data API sends them as
// BeginTransaction/CommitTransaction calls, PGlite as its own queries. Bytes read are the JSON length of the
// rows each statement returned (a driver-independent proxy for what comes over the wire).

/**
 * Issue 13's target, plus one fixed statement for any size (issue 22) and one for issue 21's quality gate: 14
 * statements per job with tagging, 12 without. Prepare job 1 (claim, count of untagged symbols and when prices were
 * fetched), Tag instruments 2 (untagged holdings; classifications + the attempt's record + trace), Plan analysis 3
 * (job + portfolio; the snapshot; the specialists' aggregate + summary's part + trace — two writes so neither
 * request passes the Data API's 4 MiB at 5,000 holdings), each specialist 2 (aggregate; payload + trace), Finalize
 * job 2 (the outputs the gate reads with the job's model calls counted from its spans; summary + end). Past ~2,400
 * positions the paged reads add one statement per ~0.8 MB (tests/db/any-size.test.ts).
 */
const MAX_STATEMENTS_PER_JOB = 14;

/**
 * Issue 25's target for the bytes a job reads at 1,000 positions (rows as JSON, `countingDb`; the bench's row): the
 * planner's read of the holdings (one JSON array per position), the three specialists' reads of the compact
 * aggregate and Finalize's read of the outputs it checks (documents as text parts).
 */
const MAX_BYTES_READ_AT_1000 = 600_000;

interface Shape {
  positions: number;
  /** How many of the positions hold a distinct symbol the reference data lacks (to be classified). */
  unclassified: number;
}

let shared: string[] = [];

/**
 * A portfolio of `positions` positions, `unclassified` of them distinct symbols the user names and prices
 * (their tagging left to the tagger), the others spread over the classified reference instruments, 20 per
 * account. Built past the file parser: what is measured here is the database work per position.
 */
function portfolioFile(user: string, { positions, unclassified }: Shape): PortfolioFile {
  const file = parsePortfolioFile({
    user: { id: user, display_name: user, current_age: 45, years_until_retirement: 20 },
    accounts: [],
  });
  const own = Array.from({ length: unclassified }, (_, i) => ({
    symbol: `ZQ${user.slice(0, 4).toUpperCase()}${i}`,
    quantity: 2,
    name: `Fund ${i} Equity Index`,
    price: 10 + (i % 90),
  }));
  const classified = positions - unclassified;
  const accounts: PortfolioFile["accounts"] = [];
  for (let i = 0; i < classified; i += 20) {
    const symbols = shared.slice(0, Math.min(20, classified - i));
    accounts.push(
      account(
        `Classified ${i / 20}`,
        symbols.map((symbol) => ({ symbol, quantity: 3 })),
      ),
    );
  }
  for (let i = 0; i < own.length; i += 500) accounts.push(account(`Own ${i / 500}`, own.slice(i, i + 500)));
  return { ...file, accounts };
}

const account = (name: string, positions: PortfolioFile["accounts"][number]["positions"]) => ({
  name,
  type: "taxable" as const,
  cash_balance: 100,
  cash_interest: 0,
  positions,
});

/** Imports the user, then runs a whole job through the state machine on `db`, counting what the job sends. */
async function countJob(db: Db, user: string, shape: Shape) {
  await importPortfolio(db, portfolioFile(user, shape));
  return countNextJob(db, user);
}

/** Runs a whole job for a user already imported, counting what the job sends. */
async function countNextJob(db: Db, user: string) {
  const jobId = await createJob(db, { clerk_user_id: user });
  const counted = countingDb(db);
  const deps = await offlineDeps(counted);
  const execution = await executeLocally({ jobId }, { deps, retryIntervalMs: 0 });
  const job = await getJob(db, jobId);
  return { execution, job, counter: counted.counter };
}

const sqlOf = (counter: DbCounter) => counter.statements.map((s) => s.sql.replace(/\s+/g, " ").slice(0, 60));

describe("database work per job is constant in the number of positions (PGlite)", () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await testDb();
    shared = (await db.query<{ symbol: string }>("SELECT symbol FROM instruments ORDER BY symbol")).rows.map(
      (i) => i.symbol,
    );
  });
  afterAll(() => db.close());

  it("a job sends the same statements for 10, 100 and 1,000 classified positions", async () => {
    const counts: number[] = [];
    for (const positions of [10, 100, 1000]) {
      const { job, counter } = await countJob(db, `classified-${positions}`, { positions, unclassified: 0 });
      expect(job?.status).toBe("completed");
      counts.push(counter.count);
      console.error(`${positions} positions: ${counter.count} statements, ${(counter.bytes / 1e6).toFixed(3)} MB read`);
    }
    expect(counts[0]).toBeLessThanOrEqual(MAX_STATEMENTS_PER_JOB);
    expect(counts).toEqual([counts[0], counts[0], counts[0]]);
  }, 300_000);

  it("a job on 980 distinct holdings, once tagged, reads at most 0.6 MB", async () => {
    const tagging = await countJob(db, "bytes-1000", { positions: 1000, unclassified: 978 });
    expect(tagging.job?.status).toBe("completed");
    const tagged = await countNextJob(db, "bytes-1000");
    expect(tagged.job?.status).toBe("completed");
    console.error(
      `1,000 positions: ${(tagging.counter.bytes / 1e6).toFixed(3)} MB read tagging 978 symbols, ${(tagged.counter.bytes / 1e6).toFixed(3)} MB once tagged`,
    );
    expect(tagged.counter.bytes).toBeLessThanOrEqual(MAX_BYTES_READ_AT_1000);
  }, 300_000);

  it("tagging 978 symbols sends as many statements as tagging 5, and stores every classification", async () => {
    const few = await countJob(db, "tag-few", { positions: 10, unclassified: 5 });
    const many = await countJob(db, "tag-many", { positions: 1000, unclassified: 978 });
    expect(many.job?.error_message ?? many.job?.status).toBe("completed");
    const summary = many.job?.summary_payload as { tagging: { tagged: string[]; failed: unknown[] } };
    expect(summary.tagging.tagged).toHaveLength(978);
    expect(summary.tagging.failed).toEqual([]);
    expect(sqlOf(many.counter)).toEqual(sqlOf(few.counter));
    expect(many.counter.count).toBeLessThanOrEqual(MAX_STATEMENTS_PER_JOB);
    // No statement reads the whole job row or its snapshot (the specialists read the compact aggregate).
    expect(many.counter.statements.filter((s) => /SELECT \* FROM jobs|portfolio_snapshot::text/.test(s.sql))).toEqual(
      [],
    );
    const untouched = await getInstruments(db, ["ZQTAG-0"]);
    expect(untouched).toEqual([]); // a user's own symbol never becomes a shared instrument
  }, 300_000);

  it("imports a portfolio file in the same few statements for 10 and 1,000 positions", async () => {
    const counts: number[] = [];
    for (const positions of [10, 1000]) {
      const counted = countingDb(db);
      await importPortfolio(counted, portfolioFile(`import-${positions}`, { positions, unclassified: positions / 2 }));
      expect(counted.counter.transactions).toBe(1);
      counts.push(counted.counter.count);
    }
    expect(counts[1]).toBeLessThanOrEqual(10);
    expect(counts).toEqual([counts[0], counts[0]]);
  });
});

describe("the same counts on the Data API driver (calls counted with aws-sdk-client-mock)", () => {
  let fake: DataApiFake;
  beforeAll(async () => {
    fake = await DataApiFake.start();
  });
  afterAll(() => fake.close());

  const calls = () => ({
    statements: fake.mock.commandCalls(ExecuteStatementCommand).length,
    begins: fake.mock.commandCalls(BeginTransactionCommand).length,
    commits: fake.mock.commandCalls(CommitTransactionCommand).length,
  });

  it("a job with 1,000 positions and 978 symbols to classify sends as many ExecuteStatement calls as one with 10", async () => {
    const db = fake.db();
    const perJob: number[] = [];
    for (const [user, shape] of [
      ["api-few", { positions: 10, unclassified: 5 }],
      ["api-many", { positions: 1000, unclassified: 978 }],
    ] as const) {
      await importPortfolio(db, portfolioFile(user, shape));
      const jobId = await createJob(db, { clerk_user_id: user });
      const counted = countingDb(db);
      const before = calls();
      await executeLocally({ jobId }, { deps: await offlineDeps(counted), retryIntervalMs: 0 });
      const after = calls();
      expect(after.statements - before.statements).toBe(counted.counter.count);
      expect(after.begins - before.begins).toBe(counted.counter.transactions);
      expect((await getJob(db, jobId))?.status).toBe("completed");
      perJob.push(after.statements - before.statements);
    }
    expect(perJob[1]).toBeLessThanOrEqual(MAX_STATEMENTS_PER_JOB);
    expect(perJob[1]).toBe(perJob[0]);
  }, 600_000);

  it("imports 1,000 positions in at most 10 ExecuteStatement calls and one transaction", async () => {
    const before = calls();
    await importPortfolio(fake.db(), portfolioFile("api-import", { positions: 1000, unclassified: 500 }));
    const after = calls();
    expect(after.statements - before.statements).toBeLessThanOrEqual(10);
    expect([after.begins - before.begins, after.commits - before.commits]).toEqual([1, 1]);
  });
});
