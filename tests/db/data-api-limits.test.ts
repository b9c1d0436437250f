import { BadRequestException } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingDb } from "../../lib/db/counting-db.js";
import { DbError } from "../../lib/db/driver.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { readDocuments } from "../../lib/db/repositories/documents.js";
import { claimJobListingUntagged, createJob, getJob, savePayload } from "../../lib/db/repositories/jobs.js";
import { DATA_API_LIMITS, DataApiFake } from "../support/data-api-fake.js";
import { testDb } from "../support/db.js";

/** The error a statement failed with, unwrapped from the driver's DbError. */
async function refusal(work: Promise<unknown>): Promise<Error> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(DbError);
  const cause = (error as DbError).cause as Error;
  expect(cause).toBeInstanceOf(BadRequestException);
  return cause;
}

describe("the Data API fake enforces AWS's size limits", () => {
  let fake: DataApiFake;
  beforeAll(async () => {
    fake = await DataApiFake.start();
  });
  afterAll(() => fake.close());

  it("refuses a returned row over 64 KB, and returns one just under it", async () => {
    const db = fake.db();
    const over = await refusal(db.query("SELECT repeat('x', :n::int) AS big", { n: DATA_API_LIMITS.rowBytes + 1 }));
    expect(over.message).toMatch(/^Packet for query is too large: row 0 of the result set is 65537 bytes/);
    const { rows } = await db.query<{ big: string }>("SELECT repeat('é', :n::int) AS big", {
      n: DATA_API_LIMITS.rowBytes / 2,
    });
    expect(rows[0].big).toHaveLength(DATA_API_LIMITS.rowBytes / 2); // 2 bytes each in UTF-8: exactly 64 KiB
    const multibyte = await refusal(
      db.query("SELECT repeat('é', :n::int) AS big", { n: DATA_API_LIMITS.rowBytes / 2 + 1 }),
    );
    expect(multibyte.message).toMatch(/Packet for query is too large/);
  });

  it("refuses a response over 1 MiB even when every row is small", async () => {
    const over = await refusal(fake.db().query("SELECT repeat('x', 50000) AS part FROM generate_series(1, 22)"));
    expect(over.message).toMatch(/^Database response exceeded size limit: \d+ bytes/);
    const { rows } = await fake.db().query("SELECT repeat('x', 50000) AS part FROM generate_series(1, 20)");
    expect(rows).toHaveLength(20);
  });

  it("refuses a request over 4 MiB before running it", async () => {
    const db = fake.db();
    const executed = fake.executed.length;
    const over = await refusal(
      db.query("SELECT length(:text) AS n", { text: "x".repeat(DATA_API_LIMITS.requestBytes) }),
    );
    expect(over.message).toMatch(/^Request size \d+ bytes exceeds the Data API's limit of 4194304 bytes/);
    expect(fake.executed.length).toBe(executed + 1);
    const { rows } = await db.query<{ n: number }>("SELECT length(:text)::int AS n", { text: "x".repeat(3_000_000) });
    expect(rows[0].n).toBe(3_000_000);
  });
});

describe("large documents come back in parts, the same on both drivers", () => {
  let fake: DataApiFake;
  let pglite: PgliteDb;
  beforeAll(async () => {
    [fake, pglite] = await Promise.all([DataApiFake.start(), testDb()]);
  });
  afterAll(async () => {
    await Promise.all([fake.close(), pglite.close()]);
  });

  // 2.6 MB of JSON with multi-byte characters and quotes: over 1 MiB, and rows over 64 KB if read whole.
  const summary = {
    positions: Array.from({ length: 36_000 }, (_, i) => ({
      symbol: `S${i}`,
      name: `Fonds « ${i} » "€"`,
      value: i / 7,
    })),
  };

  it("getJob reads a 2.6 MB summary through the Data API fake in several statements", async () => {
    const results = [];
    for (const db of [fake.db(), pglite]) {
      await db.query("INSERT INTO users (clerk_user_id) VALUES ('big-doc') ON CONFLICT DO NOTHING");
      const id = await createJob(db, { clerk_user_id: "big-doc" });
      await claimJobListingUntagged(db, id, "execution-1");
      await savePayload(db, id, "summary_payload", summary);
      const counted = countingDb(db);
      const job = await getJob(counted, id);
      expect(job?.summary_payload).toEqual(summary);
      expect(counted.counter.count).toBeGreaterThanOrEqual(4); // the head, then ≥ 3 responses of ≤ 1 MiB
      results.push({ ...job, id: undefined, created_at: undefined, updated_at: undefined, started_at: undefined });
    }
    expect(results[0]).toEqual(results[1]);
  }, 120_000);

  it("a document set that fits one response is read in one statement, and an absent document is left out", async () => {
    const counted = countingDb(fake.db());
    const texts = await readDocuments(counted, "SELECT * FROM (VALUES ('a', :a::text), ('b', NULL)) AS d(name, doc)", {
      a: JSON.stringify({ kept: "é".repeat(40_000) }),
    });
    expect(counted.counter.count).toBe(1);
    expect([...texts.keys()]).toEqual(["a"]);
    expect(JSON.parse(texts.get("a")!).kept).toHaveLength(40_000);
  });

  it("cuts a document only between characters: 1- to 4-byte characters across every cut come back whole", async () => {
    // 10 UTF-8 bytes a repetition; the shifts put cuts inside each kind of character.
    const docs = [0, 1, 2, 3].map((shift) => `${"x".repeat(shift)}${JSON.stringify({ s: 'a€😀é"'.repeat(12_000) })}`);
    const counted = countingDb(fake.db());
    const texts = await readDocuments(
      counted,
      "SELECT * FROM (VALUES ('d0', :d0::text), ('d1', :d1::text), ('d2', :d2::text), ('d3', :d3::text)) AS d(name, doc)",
      Object.fromEntries(docs.map((doc, i) => [`d${i}`, doc])),
    );
    expect(docs.map((_, i) => texts.get(`d${i}`))).toEqual(docs);
    expect(counted.counter.statements.every((s) => s.rows > 1)).toBe(true);
  });
});
