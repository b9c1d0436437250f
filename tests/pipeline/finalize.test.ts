import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { claimJobListingUntagged, createJob, getJob, JobNotRunningError } from "../../lib/db/repositories/jobs.js";
import { type FinalizeEvent, finalize, readOutcome } from "../../lib/pipeline/finalize.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { testDb } from "../support/db.js";

// The job's end as the user sees it: completed, needs_review or failed, the reason, and the summary's results, usage
// and timings. These jobs store no outputs, so the quality gate sends every one with a succeeded specialist to review.

const usage = (requests: number, input_tokens: number, output_tokens: number) => ({
  requests,
  input_tokens,
  output_tokens,
});

const succeeded = (agent: string, duration_ms: number, used = usage(1, 100, 50)) => ({
  agent,
  status: "succeeded",
  duration_ms,
  usage: used,
});
const failed = (agent: string, message: string) => ({
  agent,
  status: "failed",
  error: { Error: "Error", Cause: message },
});

function eventFor(jobId: string, change: Partial<FinalizeEvent> = {}): FinalizeEvent {
  return {
    job_id: jobId,
    execution_id: "exec-1",
    plan: {
      specialists: [
        { agent: "reporter", reason: "positions" },
        { agent: "charter", reason: "positions" },
      ],
      required: [
        { agent: "reporter", rule: "the portfolio has 2 position(s)" },
        { agent: "charter", rule: "the portfolio has 2 positions" },
      ],
      usage: usage(1, 10, 5),
      duration_ms: 30,
    },
    results: [succeeded("reporter", 400), succeeded("charter", 200, usage(2, 200, 80))],
    tagging: {
      requested: 2,
      tagged: 1,
      failed: 1,
      usage: usage(1, 20, 10),
      duration_ms: 50,
    },
    prepare_ms: 12,
    started_at: new Date(Date.now() - 1_000).toISOString(),
    ...change,
  };
}

describe("Finalize", () => {
  let db: PgliteDb;
  const deps = () => ({ db, config: loadConfig({}) });
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
  });
  afterAll(() => db.close());

  async function runningJob(): Promise<string> {
    const id = await createJob(db, { clerk_user_id: DEMO_USER_ID });
    expect((await claimJobListingUntagged(db, id, "exec-1"))?.claimed).toBe(true);
    return id;
  }

  it("sends a job whose specialists succeeded but stored nothing to review, adding up usage and each state's time", async () => {
    const id = await runningJob();
    const result = await finalize(deps(), eventFor(id));
    expect(result.status).toBe("needs_review");
    expect(result.reason).toMatch(/^Needs review: /);
    const job = await getJob(db, id);
    expect(job?.status).toBe("needs_review");
    expect(job?.error_message).toBe(result.reason);
    const summary = job?.summary_payload as Record<string, any>;
    expect(summary.results).toEqual({
      reporter: { status: "succeeded", duration_ms: 400 },
      charter: { status: "succeeded", duration_ms: 200 },
    });
    expect(summary.missing).toEqual([]);
    expect(summary.quality_gate.passed).toBe(false);
    expect(summary.quality_gate.reasons.length).toBeGreaterThan(0);
    // No model calls were traced for this job, so usage is what the tasks reported.
    expect(summary.usage).toMatchObject({ requests: 5, input_tokens: 330, output_tokens: 145, counted_from: "tasks" });
    expect(summary.model).toBe("offline");
    expect(summary.chosen).toEqual(eventFor(id).plan.specialists);
    expect(summary.plan).toBeNull();
    expect(summary.timings.by_state).toEqual({
      "Prepare job": 12,
      "Tag instruments": 50,
      "Plan analysis": 30,
      "Write report": 400,
      "Draw charts": 200,
    });
    expect(summary.timings.total_ms).toBeGreaterThanOrEqual(1_000);
  });

  it("fails a job whose every chosen specialist failed, naming each error", async () => {
    const id = await runningJob();
    const result = await finalize(
      deps(),
      eventFor(id, { results: [failed("reporter", "model timed out"), failed("charter", "bad chart")] }),
    );
    expect(result).toEqual({
      status: "failed",
      reason: "Every chosen specialist failed: reporter: Error: model timed out; charter: Error: bad chart",
    });
    const job = await getJob(db, id);
    expect(job?.status).toBe("failed");
    expect(job?.error_message).toBe(result.reason);
    expect((job?.summary_payload as Record<string, any>).results.reporter).toEqual({
      status: "failed",
      error: "Error: model timed out",
    });
  });

  it("sends a job with one specialist failed to review, naming it, and lists it as missing", async () => {
    const id = await runningJob();
    const result = await finalize(
      deps(),
      eventFor(id, { results: [succeeded("reporter", 400), failed("charter", "bad chart")] }),
    );
    expect(result.status).toBe("needs_review");
    expect(result.reason).toContain("charter: failed (Error: bad chart)");
    const summary = (await getJob(db, id))?.summary_payload as Record<string, any>;
    expect(summary.missing).toEqual([{ agent: "charter", reason: "failed: Error: bad chart" }]);
    expect(summary.usage).toMatchObject({ requests: 3, input_tokens: 130, output_tokens: 65 });
    expect(summary.timings.by_state).not.toHaveProperty("Draw charts");
  });

  it("fails a non-empty portfolio's job when no specialist was chosen", async () => {
    const id = await runningJob();
    const plan = { ...eventFor(id).plan, specialists: [] };
    expect(await finalize(deps(), eventFor(id, { plan, results: [], tagging: null }))).toEqual({
      status: "failed",
      reason:
        "No specialist output for a non-empty portfolio: reporter not scheduled although the portfolio has 2 position(s); charter not scheduled although the portfolio has 2 positions",
    });
    const summary = (await getJob(db, id))?.summary_payload as Record<string, any>;
    expect(summary.tagging).toBeNull();
    expect(summary.timings.by_state).toEqual({ "Prepare job": 12, "Plan analysis": 30 });
  });

  it("completes an empty portfolio's job with nothing chosen and nothing required", async () => {
    const id = await runningJob();
    const plan = { ...eventFor(id).plan, specialists: [], required: [] };
    expect(await finalize(deps(), eventFor(id, { plan, results: [] }))).toEqual({ status: "completed" });
  });

  it("refuses to finalize a job that is no longer running", async () => {
    const id = await runningJob();
    await finalize(deps(), eventFor(id));
    await expect(finalize(deps(), eventFor(id))).rejects.toThrow(JobNotRunningError);
  });
});

describe("reading a specialist's result", () => {
  it("reads a success and a recorded failure", () => {
    expect(readOutcome(succeeded("charter", 5, usage(1, 2, 3)))).toEqual({
      agent: "charter",
      outcome: { status: "succeeded", duration_ms: 5, usage: usage(1, 2, 3) },
    });
    expect(readOutcome({ agent: "retirement", status: "failed", error: { Error: "Timeout" } })).toEqual({
      agent: "retirement",
      outcome: { status: "failed", error: "Timeout" },
    });
  });

  it("treats an sst dev stub's answer and anything unexpected as failures, keeping the agent when it is named", () => {
    expect(readOutcome({ statusCode: "500", body: "sst dev is not running" })).toEqual({
      agent: undefined,
      outcome: { status: "failed", error: 'the function answered from an "sst dev" stub: sst dev is not running' },
    });
    expect(readOutcome({ agent: "reporter", status: "done" })).toEqual({
      agent: "reporter",
      outcome: { status: "failed", error: 'unexpected task result {"agent":"reporter","status":"done"}' },
    });
    expect(readOutcome({ agent: 7 }).agent).toBeUndefined();
    expect(readOutcome(null)).toEqual({
      agent: undefined,
      outcome: { status: "failed", error: "unexpected task result null" },
    });
    expect(readOutcome({ text: "x".repeat(500) }).outcome).toMatchObject({
      error: `unexpected task result {"text":"${"x".repeat(191)}`,
    });
  });
});
