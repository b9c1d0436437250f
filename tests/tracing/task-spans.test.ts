import { withCustomSpan } from "@openai/agents-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingDb } from "../../lib/db/counting-db.js";
import { type Db, DbError } from "../../lib/db/driver.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { claimJobListingUntagged, createJob, failJob, getJob, savePayload } from "../../lib/db/repositories/jobs.js";
import { listTraceSpans } from "../../lib/db/repositories/traces.js";
import { upsertUser } from "../../lib/db/repositories/users.js";
import { withJobTrace, writeWithTaskSpans } from "../../lib/tracing/job-trace.js";
import { truncate } from "../../lib/tracing/spans.js";
import { offlineConfig } from "../support/agents.js";
import { testDb } from "../support/db.js";

// A traced task stores its spans in the statement that writes its result; whatever that write does not
// carry (it failed, or was never reached) is stored when the trace ends.

describe("a task's spans ride with its own write", () => {
  let db: PgliteDb;
  const config = offlineConfig();
  beforeAll(async () => {
    db = await testDb();
    await upsertUser(db, { clerk_user_id: "spans" });
  });
  afterAll(() => db.close());

  async function runningJob() {
    const jobId = await createJob(db, { clerk_user_id: "spans" });
    await claimJobListingUntagged(db, jobId, "exec");
    return jobId;
  }

  const traced = (jobId: string, work: (counted: ReturnType<typeof countingDb>) => Promise<unknown>) => {
    const counted = countingDb(db);
    const meta = { jobId, state: "Write report", executionId: "exec" };
    const run = withJobTrace({ db: counted, config }, meta, () => work(counted));
    return { counted, run };
  };

  const step = (name: string) => withCustomSpan(async () => name, { data: { name } });

  it("stores payload and spans in one statement, and not again when the trace ends", async () => {
    const jobId = await runningJob();
    const { counted, run } = traced(jobId, async (tx) => {
      await step("first");
      await step("second");
      await writeWithTaskSpans({ content: "x" }, (spans) =>
        savePayload(tx, jobId, "report_payload", { content: "x" }, spans),
      );
    });
    await run;
    expect(counted.counter.count).toBe(1);
    expect((await listTraceSpans(db, jobId)).map((s) => s.name).sort()).toEqual(["first", "second"]);
    expect((await getJob(db, jobId))?.report_payload).toEqual({ content: "x" });
  });

  it("a write that fails leaves no payload, and its spans are stored (once) when the trace ends", async () => {
    const jobId = await runningJob();
    await failJob(db, jobId, "cancelled");
    const { counted, run } = traced(jobId, async (tx) => {
      await step("before the write");
      await writeWithTaskSpans({ content: "x" }, (spans) =>
        savePayload(tx, jobId, "report_payload", { content: "x" }, spans),
      );
    });
    await expect(run).rejects.toThrow(/not running/);
    expect(counted.counter.count).toBe(2);
    expect((await listTraceSpans(db, jobId)).map((s) => s.name)).toEqual(["before the write"]);
    expect((await getJob(db, jobId))?.report_payload).toBeNull();
  });

  it("a combined statement the database refuses is written again without spans; the spans go in at the end", async () => {
    const jobId = await runningJob();
    const refusing: Db = {
      query: (sql, params) =>
        sql.includes("stored_spans")
          ? Promise.reject(new DbError("invalid input syntax for type json", "22P02"))
          : db.query(sql, params),
      transaction: (work) => db.transaction(work),
      close: () => db.close(),
    };
    const counted = countingDb(refusing);
    const meta = { jobId, state: "Write report", executionId: "exec" };
    await withJobTrace({ db: counted, config }, meta, async () => {
      await step("kept");
      await writeWithTaskSpans({ content: "y" }, (spans) =>
        savePayload(counted, jobId, "report_payload", { content: "y" }, spans),
      );
    });
    expect((await getJob(db, jobId))?.report_payload).toEqual({ content: "y" });
    expect((await listTraceSpans(db, jobId)).map((s) => s.name)).toEqual(["kept"]);
  });

  it("keeps a truncated text valid for jsonb: a surrogate pair is never cut in half", () => {
    const text = `${"a".repeat(9)}😀 and more`;
    expect(truncate(text, 10)).toBe(`${"a".repeat(9)}… (${text.length} chars)`);
    expect(truncate(text, 11)).toBe(`${"a".repeat(9)}😀… (${text.length} chars)`);
  });

  it("a task that fails before its write still has its spans stored (a failed specialist's trace)", async () => {
    const jobId = await runningJob();
    const { counted, run } = traced(jobId, async () => {
      await step("model call");
      throw new Error("model gave up");
    });
    await expect(run).rejects.toThrow("model gave up");
    expect(counted.counter.count).toBe(1);
    expect((await listTraceSpans(db, jobId)).map((s) => s.name)).toEqual(["model call"]);
  });
});
