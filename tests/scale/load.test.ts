import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { JOB_STARTER_MAX_CONCURRENCY } from "../../lib/pipeline/admission.js";
import { DEFAULT_MODEL_QUOTA, scaleLimits } from "../../lib/scale/limits.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { type LoadReport, runLoad } from "../support/load-run.js";

/**
 * 20 jobs queued at once against a fake Bedrock that grants less than the quota the stack is sized for
 * (another app shares the account): a burst of about 7× the jobs a minute that quota sustains. No
 * reserved concurrency (the default deployment): the job starter admits jobs as running ones end, the
 * backlog waits in the queue, and every job completes. Time is compressed ×20; nothing here asserts a duration.
 */
const QUOTA = { tokensPerMinute: 30_000, requestsPerMinute: DEFAULT_MODEL_QUOTA.requestsPerMinute };
describe("a burst of 20 jobs against a quota-enforcing fake Bedrock, admitted from the queue", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  let report: LoadReport;
  const limits = scaleLimits(QUOTA);

  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
    report = await runLoad({ db, deps, jobs: 20, limits, quota: QUOTA, timeScale: 20 });
  }, 300_000);
  afterAll(() => db.close());

  it("ends every job completed", () => {
    expect(report.jobs / limits.jobsPerMinute).toBeGreaterThan(5);
    expect(report.statuses).toEqual({ completed: 20 });
    expect(report.failures).toEqual({});
  });

  it("kept the backlog in the queue: the starter handed messages back and ran few executions at once", () => {
    expect(report.maxRunningJobs).toBe(limits.maxRunningJobs);
    expect(report.deferrals).toBeGreaterThan(report.jobs);
    // Two starters reading the running count at once can each fill the budget: never more than that.
    expect(report.peakRunningJobs).toBeLessThanOrEqual(limits.maxRunningJobs * JOB_STARTER_MAX_CONCURRENCY);
    expect(report.queuedToStartMs.max).toBeGreaterThan(report.queuedToStartMs.p50);
  });

  it("reserved no concurrency, and any 429 from the model was absorbed by retries", () => {
    expect(report.reservedConcurrency).toEqual({});
    expect(report.lambdaThrottles).toBe(0);
    expect(
      report.modelRetriesPerJob.mean * report.jobs + report.stateRetriesPerJob.mean * report.jobs,
    ).toBeGreaterThanOrEqual(report.model.throttled);
  });
});
