import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import {
  claimJobListingUntagged,
  createJob,
  getJob,
  JobNotRunningError,
  savePayload,
  saveSnapshot,
} from "../../lib/db/repositories/jobs.js";
import type { TraceSpan } from "../../lib/db/repositories/traces.js";
import { type FinalizeEvent, finalize, finalizeEventFor, readOutcome } from "../../lib/pipeline/finalize.js";
import { REQUIRED_REPORT_SECTIONS } from "../../lib/pipeline/quality-gate.js";
import { aggregatePortfolio } from "../../lib/portfolio/aggregate.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { testDb } from "../support/db.js";
import { oneFundPortfolio } from "../support/one-fund-portfolio.js";

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

// A saver of 50 with one account: $500 cash and 100 VTI at $100 ($10,500; VTI 95.2% of it), a $60,000 target.
const holdings = () => oneFundPortfolio(DEMO_USER_ID);

/** A report with every required section, quoting `figures` (each must be one the fact-check can find). */
const reportQuoting = (figures: string) =>
  REQUIRED_REPORT_SECTIONS.map((section, i) => `## ${section}\n\n${i === 0 ? figures : "Nothing to add."}`).join(
    "\n\n",
  );

/** One model call of the job's reporter, as its trace stores it. */
const generation = (jobId: string, n: number, input_tokens: number, output_tokens: number, error: string | null) =>
  ({
    job_id: jobId,
    span_id: `span-${n}`,
    parent_id: null,
    trace_id: "trace-1",
    execution_id: "exec-1",
    state: "Write report",
    kind: "generation",
    name: "model call",
    started_at: new Date().toISOString(),
    duration_ms: 5,
    model: "offline",
    input_tokens,
    output_tokens,
    error,
    detail: {},
  }) satisfies TraceSpan;

/** Only the reporter chosen and required, and it succeeded; no tagging. */
const reporterOnly = (jobId: string, change: Partial<FinalizeEvent> = {}): FinalizeEvent =>
  eventFor(jobId, {
    plan: {
      ...eventFor(jobId).plan,
      specialists: [{ agent: "reporter", reason: "positions" }],
      required: [{ agent: "reporter", rule: "the portfolio has 1 position(s)" }],
    },
    results: [succeeded("reporter", 400)],
    tagging: null,
    ...change,
  });

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
    // Started a second ago: at least that long, in milliseconds (well under ten minutes).
    expect(summary.timings.total_ms).toBeGreaterThanOrEqual(1_000);
    expect(summary.timings.total_ms).toBeLessThan(600_000);
    // The tagger records its own counts in the summary; Finalize says "none" only when no tagging ran.
    expect(summary).not.toHaveProperty("tagging");
    expect(summary.prices).toEqual({ refresh: null });
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
    const summary = job?.summary_payload as Record<string, any>;
    expect(summary.results.reporter).toEqual({ status: "failed", error: "Error: model timed out" });
    // Nothing was produced, so there is no gate verdict to show.
    expect(summary).not.toHaveProperty("quality_gate");
  });

  it("sends a job with one specialist failed to review, naming it, and lists it as missing", async () => {
    const id = await runningJob();
    const decision = {
      source: "model+rules" as const,
      model_choice: ["reporter" as const],
      added: ["charter" as const],
      removed: [],
    };
    const event = eventFor(id, {
      plan: { ...eventFor(id).plan, decision },
      results: [succeeded("reporter", 400), failed("charter", "bad chart")],
      prices: { Error: "Error", Cause: "the quote server is down" },
    });
    // The charter's failure is a reason of its own; the charts it did not draw are not counted against it again.
    expect(await finalize(deps(), event)).toEqual({
      status: "needs_review",
      reason: "Needs review: charter: failed (Error: bad chart); report: missing",
    });
    const summary = (await getJob(db, id))?.summary_payload as Record<string, any>;
    expect(summary.plan).toEqual(decision);
    expect(summary.prices.refresh).toEqual({ status: "failed", error: "Error: the quote server is down" });
    expect(summary.missing).toEqual([{ agent: "charter", reason: "failed: Error: bad chart" }]);
    expect(summary.usage).toMatchObject({ requests: 3, input_tokens: 130, output_tokens: 65 });
    expect(summary.timings.by_state).not.toHaveProperty("Draw charts");
  });

  it("cuts a failed specialist's error to 200 characters in the review reason", async () => {
    const id = await runningJob();
    const result = await finalize(
      deps(),
      eventFor(id, { results: [succeeded("reporter", 400), failed("charter", "x".repeat(300))] }),
    );
    expect(result.reason).toBe(`Needs review: charter: failed (Error: ${"x".repeat(193)}); report: missing`);
  });

  it("records an unnamed result as the failure of the specialist in its place, and one past the list by its index", async () => {
    const id = await runningJob();
    const stub = { statusCode: "500", body: "sst dev is not running" };
    const result = await finalize(deps(), eventFor(id, { results: [succeeded("reporter", 400), stub, stub] }));
    expect(result.status).toBe("needs_review");
    const summary = (await getJob(db, id))?.summary_payload as Record<string, any>;
    const error = 'the function answered from an "sst dev" stub: sst dev is not running';
    expect(summary.results).toEqual({
      reporter: { status: "succeeded", duration_ms: 400 },
      charter: { status: "failed", error },
      item_2: { status: "failed", error },
    });
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
    await expect(finalize(deps(), eventFor(id))).rejects.toThrow(
      new JobNotRunningError(`Job ${id} stopped running before it could be finalized`),
    );
  });

  it("leaves a job another execution claimed running, refusing to end it", async () => {
    const id = await runningJob();
    await expect(finalize(deps(), eventFor(id, { execution_id: "exec-2" }))).rejects.toThrow(JobNotRunningError);
    expect((await getJob(db, id))?.status).toBe("running");
  });

  /** A running job with the snapshot of {@link holdings} and, when given, the reporter's payload and model calls. */
  async function jobWithSnapshot(report?: { payload: unknown; spans?: (jobId: string) => TraceSpan[] }) {
    const id = await runningJob();
    const portfolio = holdings();
    await saveSnapshot(db, id, { portfolio, aggregate: aggregatePortfolio(portfolio, valuePortfolio(portfolio)) });
    if (report) await savePayload(db, id, "report_payload", report.payload, report.spans?.(id) ?? []);
    return id;
  }
  const STORED_ACTIONS = [{ kind: "keep_course", text: "Stored with the report." }];
  const reviewed = (score: number) => ({ status: "reviewed", score });

  it("completes a job whose report passes the gate, counting usage from the job's traced model calls", async () => {
    const id = await jobWithSnapshot({
      payload: {
        content: reportQuoting("You hold $10,500, 95.2% of it in VTI."),
        review: reviewed(85),
        actions: STORED_ACTIONS,
      },
      // As many calls as the tasks reported (2), one of them failed and retried: the traces are the count.
      spans: (jobId) => [generation(jobId, 1, 300, 0, "rate limited"), generation(jobId, 2, 400, 90, null)],
    });
    expect(await finalize(deps(), reporterOnly(id))).toEqual({ status: "completed" });
    const job = await getJob(db, id);
    expect(job?.status).toBe("completed");
    expect(job?.error_message).toBeNull();
    const summary = job?.summary_payload as Record<string, any>;
    expect(summary.quality_gate).toEqual({ passed: true, reasons: [] });
    expect(summary.usage).toEqual({
      requests: 2,
      input_tokens: 700,
      output_tokens: 90,
      failed_requests: 1,
      counted_from: "traces",
      reported: { requests: 2, input_tokens: 110, output_tokens: 55 },
    });
    // The reporter stored the action plan with its report: Finalize does not compute another.
    expect(summary.actions).toEqual(STORED_ACTIONS);
  });

  it("sends a job to review when the fact-check rejects a figure of its report, quoting it", async () => {
    const id = await jobWithSnapshot({
      payload: {
        content: reportQuoting("You hold $10,500, 95.2% of it in VTI, and $123,456 abroad."),
        review: reviewed(85),
      },
    });
    expect(await finalize(deps(), reporterOnly(id))).toEqual({
      status: "needs_review",
      reason: "Needs review: report: the fact-check rejects 1 figure(s), e.g. $123,456 matches no computed amount",
    });
    expect((await getJob(db, id))?.status).toBe("needs_review");
  });

  it("holds the reviewer's score to the configured threshold", async () => {
    const id = await jobWithSnapshot({
      payload: { content: reportQuoting("You hold $10,500, 95.2% of it in VTI."), review: reviewed(85) },
    });
    const strict = { db, config: loadConfig({ ALEX_REVIEW_THRESHOLD: "90" }) };
    expect(await finalize(strict, reporterOnly(id))).toEqual({
      status: "needs_review",
      reason: "Needs review: report: review score 85 is below 90",
    });
  });

  it("computes the action plan from the snapshot when neither the reporter nor the retirement specialist ran", async () => {
    const id = await jobWithSnapshot();
    const event = eventFor(id, {
      plan: { ...eventFor(id).plan, specialists: [{ agent: "charter", reason: "positions" }], required: [] },
      results: [succeeded("charter", 200)],
      tagging: null,
    });
    expect(await finalize(deps(), event)).toEqual({
      status: "needs_review",
      reason: "Needs review: charts: 0 valid chart(s), at least 4 needed",
    });
    const summary = (await getJob(db, id))?.summary_payload as Record<string, any>;
    // VTI (a technology-only fund here) is 95% of the portfolio, and a saver of 50 is short of a $60,000 income.
    const kinds = summary.actions.map((a: { kind: string }) => a.kind);
    expect(kinds[0]).toBe("reduce_concentration");
    expect(kinds).toContain("raise_contribution");
  });

  it("sends a job to review when its report does not say which symbols the tagger could not classify", async () => {
    const id = await runningJob();
    const portfolio = holdings();
    const tagging = { requested: 2, tagged: 1, failed: [{ symbol: "ZZQ", error: "the model gave up" }] };
    const aggregate = aggregatePortfolio(portfolio, valuePortfolio(portfolio));
    await saveSnapshot(db, id, { portfolio, aggregate }, { tagging });
    const content = reportQuoting("You hold $10,500, 95.2% of it in VTI.");
    await savePayload(db, id, "report_payload", { content, review: reviewed(85) });
    expect(await finalize(deps(), reporterOnly(id))).toEqual({
      status: "needs_review",
      reason: "Needs review: tagging: ZZQ could not be classified and the report does not say so",
    });
  });
});

describe("the Finalize state's input", () => {
  it("is read whole, and refused naming the field when an execution id is missing", () => {
    const event = eventFor("0b9f9a3e-8d5c-4c43-9d1e-3f7a2b1c0d4e");
    expect(finalizeEventFor().parse(event)).toEqual(event);
    const refused = finalizeEventFor().safeParse({ ...event, execution_id: "" });
    expect(refused.error?.issues.map((issue) => issue.path.join("."))).toEqual(["execution_id"]);
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
