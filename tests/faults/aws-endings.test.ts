import type { SQSEvent } from "aws-lambda";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createHandler as deadLetterHandler } from "../../functions/dead-letters.js";
import { createHandler as sweepHandler } from "../../functions/sweep-jobs.js";
import type { Db } from "../../lib/db/driver.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { claimJobListingUntagged, getJob } from "../../lib/db/repositories/jobs.js";
import { APP_DB_ROLE } from "../../lib/db/roles.js";
import { testDb } from "../support/db.js";
import { userWithJob } from "../support/pipeline.js";
import { unfinishedJobs } from "./support.js";

/** What ends a job in AWS when no execution does: the dead-letter consumer and the sweeper (as alex_app). */
describe("jobs no execution ends, in AWS", () => {
  let db: PgliteDb;
  const openDb = () =>
    ({ query: db.query.bind(db), transaction: db.transaction.bind(db), close: async () => {} }) as Db;
  beforeAll(async () => {
    db = await testDb();
  });
  afterEach(async () => expect(await unfinishedJobs(db)).toEqual([]));
  afterAll(() => db.close());

  const sqsEvent = (records: { messageId: string; body: string }[]): SQSEvent =>
    ({ Records: records.map((r) => ({ ...r, attributes: { ApproximateReceiveCount: "3" } })) }) as unknown as SQSEvent;

  it("the dead-letter consumer fails the job each dead message names, with the reason", async () => {
    const [a, b] = [await userWithJob(db, "dlq-a", [[]]), await userWithJob(db, "dlq-b", [[]])];
    await db.query(`SET ROLE ${APP_DB_ROLE}`);
    const result = await deadLetterHandler({ openDb })(
      sqsEvent([
        { messageId: "m1", body: JSON.stringify({ job_id: a }) },
        { messageId: "m2", body: JSON.stringify({ jobId: b }) },
        { messageId: "m3", body: "garbage" },
      ]),
    );
    await db.query("RESET ROLE");
    expect(result).toEqual({ batchItemFailures: [] });
    for (const [id, message] of [
      [a, "m1"],
      [b, "m2"],
    ]) {
      const job = await getJob(db, id);
      expect(job?.status).toBe("failed");
      expect(job?.error_message).toBe(
        `dead-lettered: the job message (SQS ${message}) was received 3 times without starting an analysis (Step Functions refused or throttled the execution, or the model quota had no room for it in that time: it waited for admission)`,
      );
    }
  });

  it("the dead-letter consumer leaves an ended job alone and reports a record it could not process", async () => {
    const done = await userWithJob(db, "dlq-done", [[]]);
    await db.query("UPDATE jobs SET status = 'failed', error_message = 'earlier' WHERE id = :id::uuid", { id: done });
    const broken = { ...openDb(), query: async () => Promise.reject(new Error("database resuming")) } as Db;
    expect(
      await deadLetterHandler({ openDb: () => broken })(
        sqsEvent([{ messageId: "m9", body: JSON.stringify({ job_id: done }) }]),
      ),
    ).toEqual({
      batchItemFailures: [{ itemIdentifier: "m9" }],
    });
    await deadLetterHandler({ openDb })(sqsEvent([{ messageId: "m4", body: JSON.stringify({ job_id: done }) }]));
    expect((await getJob(db, done))?.error_message).toBe("earlier");
  });

  it("the sweeper fails jobs pending or running beyond the timeout, and only those", async () => {
    const [oldPending, oldRunning, fresh] = [
      await userWithJob(db, "sw-1", [[]]),
      await userWithJob(db, "sw-2", [[]]),
      await userWithJob(db, "sw-3", [[]]),
    ];
    await claimJobListingUntagged(db, oldRunning, "exec-lost");
    await db.query(
      "UPDATE jobs SET created_at = NOW() - interval '3 hours', started_at = CASE WHEN started_at IS NULL THEN NULL ELSE NOW() - interval '3 hours' END WHERE id IN (:a::uuid, :b::uuid)",
      { a: oldPending, b: oldRunning },
    );
    await db.query(`SET ROLE ${APP_DB_ROLE}`);
    const { swept } = await sweepHandler({ openDb })();
    await db.query("RESET ROLE");
    expect(swept.sort()).toEqual([oldPending, oldRunning].sort());
    expect((await getJob(db, oldPending))?.error_message).toBe(
      "swept: still pending more than 2400 s after it was created, beyond the state machine's timeout; no execution can end it any more",
    );
    expect((await getJob(db, oldRunning))?.error_message).toMatch(
      /^swept: still running more than 2400 s after it started/,
    );
    expect((await getJob(db, fresh))?.status).toBe("pending");
    await db.query("UPDATE jobs SET status = 'failed', error_message = 'test cleanup' WHERE id = :id::uuid", {
      id: fresh,
    });
    expect(await unfinishedJobs(db)).toEqual([]);
  });
});
