import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db/driver.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { claimJobListingUntagged, createJob, finishJob, getJob } from "../../lib/db/repositories/jobs.js";
import { upsertUser } from "../../lib/db/repositories/users.js";
import { createHandler, type ExecutionStatusChangeEvent, endedReason } from "../../lib/pipeline/execution-ended.js";
import { testDb } from "../support/db.js";

const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:alex-orchestra-dev-analysis";
const EXECUTION = `${MACHINE.replace(":stateMachine:", ":execution:")}:run-1`;

function event(
  status: string,
  input: unknown,
  extra: { error?: string; cause?: string } = {},
): ExecutionStatusChangeEvent {
  return {
    source: "aws.states",
    "detail-type": "Step Functions Execution Status Change",
    detail: {
      executionArn: EXECUTION,
      stateMachineArn: MACHINE,
      status,
      input: typeof input === "string" ? input : JSON.stringify(input),
      ...extra,
    },
  };
}

const pipeBatch = (body: unknown) => [
  { messageId: "m-1", body: JSON.stringify(body), attributes: {}, eventSource: "aws:sqs" },
];

describe("execution-ended", () => {
  let db: PgliteDb;
  let jobId: string;
  /** The handler closes the database it opens; the test keeps its own open. */
  const handler = () =>
    createHandler({
      openDb: () => ({ query: db.query.bind(db), transaction: db.transaction.bind(db), close: async () => {} }) as Db,
    });

  // One database for the file: each test has a job of its own, and every assertion reads that job only.
  beforeAll(async () => {
    db = await testDb();
    await upsertUser(db, { clerk_user_id: "user-1" });
  });
  beforeEach(async () => {
    jobId = await createJob(db, { clerk_user_id: "user-1" });
  });
  afterAll(async () => db.close());

  it("marks a running job failed with the execution's status and cause", async () => {
    await claimJobListingUntagged(db, jobId, EXECUTION);
    const result = await handler()(event("TIMED_OUT", pipeBatch({ job_id: jobId }), { error: "States.Timeout" }));
    expect(result).toEqual({ outcome: "marked-failed", jobId, reason: "Execution TIMED_OUT: States.Timeout" });
    const job = await getJob(db, jobId);
    expect(job?.status).toBe("failed");
    expect(job?.error_message).toBe("Execution TIMED_OUT: States.Timeout");
  });

  it("marks a pending job failed too (the execution died before claiming it), from a direct {jobId} input", async () => {
    const result = await handler()(event("ABORTED", { jobId }));
    expect(result).toMatchObject({ outcome: "marked-failed", reason: "Execution ABORTED: the execution was stopped" });
    expect((await getJob(db, jobId))?.status).toBe("failed");
  });

  it("leaves a job another execution is running alone (a duplicate delivery failed)", async () => {
    await claimJobListingUntagged(db, jobId, `${EXECUTION}-first`);
    const result = await handler()(event("FAILED", pipeBatch({ job_id: jobId }), { error: "States.Runtime" }));
    expect(result).toMatchObject({ outcome: "left-alone", jobId });
    expect((await getJob(db, jobId))?.status).toBe("running");
  });

  it("leaves a job that already ended alone", async () => {
    await claimJobListingUntagged(db, jobId, "execution-1");
    await finishJob(db, jobId, {});
    const result = await handler()(event("FAILED", pipeBatch({ jobId }), { error: "Lambda.Unknown", cause: "boom" }));
    expect(result).toMatchObject({ outcome: "left-alone", jobId });
    expect((await getJob(db, jobId))?.status).toBe("completed");
  });

  it("ignores succeeded executions and inputs that name no job", async () => {
    expect(await handler()(event("SUCCEEDED", { jobId }))).toEqual({ outcome: "ignored", why: "status SUCCEEDED" });
    expect(await handler()(event("FAILED", "not json"))).toMatchObject({
      outcome: "ignored",
      why: "the execution input is not JSON",
    });
    expect(await handler()(event("FAILED", { job: 1 }))).toMatchObject({ outcome: "ignored" });
    expect(await handler()(event("FAILED", pipeBatch({ job_id: "nope" })))).toMatchObject({ outcome: "ignored" });
    expect((await getJob(db, jobId))?.status).toBe("pending");
  });

  it("rejects an event that is not a Step Functions status change", async () => {
    await expect(handler()({ source: "aws.sqs", detail: {} })).rejects.toThrow();
  });

  it("words the reason from the error and cause, or says what happened", () => {
    expect(endedReason("FAILED", { error: "States.TaskFailed", cause: "boom" })).toBe(
      "Execution FAILED: States.TaskFailed: boom",
    );
    expect(endedReason("FAILED", {})).toBe("Execution FAILED: no error was reported");
    expect(endedReason("TIMED_OUT", { error: null, cause: " " })).toBe(
      "Execution TIMED_OUT: the execution exceeded the state machine's TimeoutSeconds",
    );
  });
});
