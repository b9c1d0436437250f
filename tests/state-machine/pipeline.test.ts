import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { getInstruments } from "../../lib/db/repositories/instruments.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { ThrottledError } from "../../lib/models/retry.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { SPECIALIST_STATE, STATE } from "../../state-machine/definition.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, statesEntered, userWithJob } from "../support/pipeline.js";

type Summary = {
  chosen: { agent: string }[];
  results: Record<string, { status: string; error?: string; duration_ms?: number }>;
  tagging: { requested: number; tagged: string[] } | null;
  model: string;
  usage: { requests: number };
  timings: { total_ms: number; by_state: Record<string, number> };
};

const failing =
  (name: string, message: string): TaskFunction<unknown> =>
  async () => {
    throw Object.assign(new Error(message), { name });
  };

describe("the state machine, executed locally with the real handlers", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    deps = await offlineDeps(db);
  });
  afterAll(() => db.close());

  it("skips the tagger when every held instrument has allocations", async () => {
    const jobId = await userWithJob(
      db,
      "all-tagged",
      [
        [
          { symbol: "SPY", quantity: 1 },
          { symbol: "BND", quantity: 2 },
        ],
      ],
      { years_until_retirement: 20 },
    );
    const { execution, job } = await runJob(deps, { jobId });
    expect(execution.status).toBe("SUCCEEDED");
    expect(statesEntered(execution)).not.toContain(STATE.tagInstruments);
    expect(job?.status).toBe("completed");
    expect((job?.summary_payload as Summary).tagging).toBeNull();
  });

  it("tags missing instruments first and stores their allocations", async () => {
    const jobId = await userWithJob(db, "needs-tags", [
      [
        { symbol: "SPY", quantity: 3 },
        { symbol: "EMRG", quantity: 10, name: "Acme Emerging Markets Equity ETF", price: 30 },
      ],
    ]);
    const { execution, job } = await runJob(deps, { jobId });
    expect(statesEntered(execution)).toContain(STATE.tagInstruments);
    expect(job?.status).toBe("completed");
    expect(await getInstruments(db, ["EMRG"])).toEqual([]);
    const emrg = job!.portfolio_snapshot!.accounts[0].positions.find((p) => p.symbol === "EMRG")!.instrument;
    expect(emrg.allocation_asset_class).toEqual({ equity: 100 });
    expect(emrg.allocation_regions).toMatchObject({ asia: 75 });
    expect((job?.summary_payload as Summary).tagging).toMatchObject({ requested: 1, tagged: ["EMRG"] });
  });

  it.each([
    { chosen: [], accounts: [[]], goals: {} },
    { chosen: ["reporter"], accounts: [[{ symbol: "SPY", quantity: 1 }]], goals: {} },
    {
      chosen: ["reporter", "charter"],
      accounts: [[{ symbol: "SPY", quantity: 1 }], [{ symbol: "GLD", quantity: 1 }]],
      goals: {},
    },
    {
      chosen: ["reporter", "charter", "retirement"],
      accounts: [
        [
          { symbol: "SPY", quantity: 1 },
          { symbol: "GLD", quantity: 1 },
        ],
      ],
      goals: { years_until_retirement: 30, target_retirement_income: 50_000 },
    },
  ])("runs exactly the $chosen.length specialist(s) the planner chose", async ({ chosen, accounts, goals }) => {
    const jobId = await userWithJob(db, `planner-${chosen.length}`, accounts, goals);
    const { execution, job } = await runJob(deps, { jobId });
    expect(execution.status).toBe("SUCCEEDED");
    expect(job?.status).toBe("completed");
    const summary = job?.summary_payload as Summary;
    expect(summary.chosen.map((c) => c.agent)).toEqual(chosen);
    expect(Object.keys(summary.results).sort()).toEqual([...chosen].sort());
    expect(job?.report_payload !== null).toBe(chosen.includes("reporter"));
    expect(job?.charts_payload !== null).toBe(chosen.includes("charter"));
    expect(job?.retirement_payload !== null).toBe(chosen.includes("retirement"));
  });

  it("keeps the others' outputs when one specialist fails, records that failure and ends needs_review", async () => {
    const jobId = await userWithJob(
      db,
      "one-fails",
      [
        [
          { symbol: "SPY", quantity: 1 },
          { symbol: "QQQ", quantity: 1 },
        ],
      ],
      { years_until_retirement: 10 },
    );
    const { execution, job } = await runJob(
      deps,
      { jobId },
      { taskFunctions: { charter: failing("ChartBoom", "the plotter caught fire") } },
    );
    expect(execution.status).toBe("SUCCEEDED");
    expect(job?.status).toBe("needs_review");
    const summary = job?.summary_payload as Summary;
    expect(job?.error_message).toBe("Needs review: charter: failed (ChartBoom: the plotter caught fire)");
    expect(summary.results.charter).toEqual({ status: "failed", error: "ChartBoom: the plotter caught fire" });
    expect(summary.results.reporter.status).toBe("succeeded");
    expect(summary.results.retirement.status).toBe("succeeded");
    expect(job?.charts_payload).toBeNull();
    expect(job?.report_payload).not.toBeNull();
  });

  it("records a specialist that answered from an sst dev stub as failed", async () => {
    const jobId = await userWithJob(db, "dev-stub", [
      [
        { symbol: "SPY", quantity: 1 },
        { symbol: "QQQ", quantity: 1 },
      ],
    ]);
    const stub: TaskFunction<unknown> = async () => ({
      statusCode: "500",
      body: "sst dev is not running (worker: abc)",
    });
    const { job } = await runJob(deps, { jobId }, { taskFunctions: { charter: stub } });
    expect(job?.status).toBe("needs_review");
    expect((job?.summary_payload as Summary).results.charter).toEqual({
      status: "failed",
      error: 'the function answered from an "sst dev" stub: sst dev is not running (worker: abc)',
    });
  });

  it("fails the job with a reason when every chosen specialist fails", async () => {
    const jobId = await userWithJob(db, "all-fail", [[{ symbol: "SPY", quantity: 1 }]]);
    const { execution, job } = await runJob(
      deps,
      { jobId },
      { taskFunctions: { reporter: failing("ReportBoom", "no ink") } },
    );
    expect(execution.status).toBe("FAILED");
    expect(execution.error?.name).toBe("JobFailed");
    expect(job?.status).toBe("failed");
    expect(job?.error_message).toBe("Every chosen specialist failed: reporter: ReportBoom: no ink");
    expect((job?.summary_payload as Summary).results.reporter.status).toBe("failed");
  });

  it("marks the job failed (never leaves it running) when a handler outside the Map throws", async () => {
    const jobId = await userWithJob(db, "planner-throws", [[{ symbol: "SPY", quantity: 1 }]]);
    const { execution, job } = await runJob(
      deps,
      { jobId },
      { taskFunctions: { planner: failing("TypeError", "planner exploded") } },
    );
    expect(execution.status).toBe("FAILED");
    expect(statesEntered(execution).slice(-2)).toEqual([STATE.markJobFailed, STATE.jobFailed]);
    expect(execution.error).toEqual({ name: "JobFailed", message: "TypeError: planner exploded" });
    expect(job?.status).toBe("failed");
    expect(job?.error_message).toBe("TypeError: planner exploded");
  });

  it("retries a task whose model stayed throttled, then goes on", async () => {
    const jobId = await userWithJob(db, "throttled-once", [
      [
        { symbol: "SPY", quantity: 1 },
        { symbol: "BND", quantity: 1 },
      ],
    ]);
    let calls = 0;
    const { charter } = await import("../../functions/charter.js");
    const flaky: TaskFunction<unknown> = async (event, d) => {
      if (++calls === 1)
        throw new ThrottledError("still throttled after retries", { cause: new Error("429"), attempts: 5 });
      return charter(event, d);
    };
    const { execution, job } = await runJob(deps, { jobId }, { taskFunctions: { charter: flaky } });
    expect(calls).toBe(2);
    expect(execution.events.some((e) => e.type === "StateRetried" && e.state === SPECIALIST_STATE.charter)).toBe(true);
    expect((job?.summary_payload as Summary).results.charter.status).toBe("succeeded");
  });

  it("ends a second delivery of the same message in Already processed, leaving the job alone", async () => {
    const jobId = await userWithJob(db, "twice", [[{ symbol: "SPY", quantity: 1 }]]);
    const message = [{ messageId: "m-1", body: JSON.stringify({ job_id: jobId }) }];
    const first = await runJob(deps, message);
    const afterFirst = await getJob(db, jobId);
    const second = await runJob(deps, message);
    expect(first.execution.status).toBe("SUCCEEDED");
    expect(afterFirst?.status).toBe("completed");
    expect(second.execution.status).toBe("SUCCEEDED");
    expect(statesEntered(second.execution)).toEqual([STATE.prepareJob, STATE.jobClaimed, STATE.alreadyProcessed]);
    expect(await getJob(db, jobId)).toEqual(afterFirst);
  });

  it("resumes its own claim when Step Functions retries Prepare job after the claim landed", async () => {
    const jobId = await userWithJob(db, "claim-retried", [[{ symbol: "SPY", quantity: 1 }]]);
    const { prepareJob } = await import("../../functions/prepare-job.js");
    let calls = 0;
    const lostResponse: TaskFunction<unknown> = async (event, d) => {
      const result = await prepareJob(event, d);
      if (++calls === 1) throw Object.assign(new Error("connection reset"), { name: "Lambda.SdkClientException" });
      return result;
    };
    const { execution, job } = await runJob(deps, { jobId }, { taskFunctions: { prepareJob: lostResponse } });
    expect(calls).toBe(2);
    expect(statesEntered(execution)).not.toContain(STATE.alreadyProcessed);
    expect(job?.status).toBe("completed");
  });

  it("rejects a malformed message with a clear error", async () => {
    const { execution } = await runJob(deps, [{ messageId: "m-2", body: '{"job": 42}' }]);
    expect(execution.status).toBe("FAILED");
    expect(execution.error).toEqual({
      name: "JobFailed",
      message:
        'InvalidJobMessageError: Invalid job message: input[0].body must be {"job_id": "<uuid>"} or {"jobId": "<uuid>"} (body: names no job)',
    });
  });

  it("analyses the demo end to end: tagger, three concurrent specialists, summary", async () => {
    const jobId = await createJob(db, { clerk_user_id: DEMO_USER_ID });
    const { execution, job } = await runJob(deps, { jobId });
    expect(job?.status).toBe("completed");
    const windows = ["Write report", "Draw charts", "Project retirement"].map((state) => {
      const entered = execution.events.find((e) => e.type === "StateEntered" && e.state === state)!.at;
      const exited = execution.events.find((e) => e.type === "StateExited" && e.state === state)!.at;
      return [entered, exited] as const;
    });
    const latestStart = Math.max(...windows.map(([start]) => start));
    const earliestEnd = Math.min(...windows.map(([, end]) => end));
    expect(latestStart).toBeLessThanOrEqual(earliestEnd);
    const summary = job?.summary_payload as Summary;
    expect(summary.model).toBe("offline");
    expect(summary.usage.requests).toBe(6); // tagger, planner, reporter, reviewer, charter, retirement: one call each
    expect(Object.keys(summary.timings.by_state)).toEqual(
      expect.arrayContaining([
        STATE.prepareJob,
        STATE.planAnalysis,
        SPECIALIST_STATE.reporter,
        SPECIALIST_STATE.charter,
        SPECIALIST_STATE.retirement,
      ]),
    );
  });
});
