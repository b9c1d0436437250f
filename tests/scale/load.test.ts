import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { DEFAULT_MODEL_QUOTA, scaleLimits } from "../../lib/scale/limits.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { type LoadReport, runLoad } from "../support/load-run.js";

/**
 * 20 jobs queued at once (more than the 15 instances the agents' reserved concurrency allows in total) against a fake Bedrock that grants less than the quota the stack is sized for
 * (another app shares the account): fewer tokens per minute than the agents' reserved concurrency can
 * reserve at once (each call reserves input + maxTokens), so throttling must happen — and be absorbed:
 * every job completes. Time is compressed ×20; nothing here asserts a duration.
 */
const QUOTA_TOKENS_PER_MINUTE = 30_000;
describe("20 concurrent jobs against a quota-enforcing fake Bedrock", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  let report: LoadReport;
  const limits = scaleLimits();

  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
    report = await runLoad({
      db,
      deps,
      jobs: 20,
      limits,
      quota: { tokensPerMinute: QUOTA_TOKENS_PER_MINUTE, requestsPerMinute: DEFAULT_MODEL_QUOTA.requestsPerMinute },
      timeScale: 20,
    });
  }, 300_000);
  afterAll(() => db.close());

  it("ends every job completed", () => {
    expect(report.statuses).toEqual({ completed: 20 });
  });

  it("grants less than the reserved concurrency could reserve at once", () => {
    expect(limits.inFlightReservation).toBeGreaterThan(QUOTA_TOKENS_PER_MINUTE);
  });

  it("saw 429s from the model and absorbed them with retries", () => {
    expect(report.model.throttled).toBeGreaterThanOrEqual(1);
    expect(
      report.modelRetriesPerJob.mean * report.jobs + report.stateRetriesPerJob.mean * report.jobs,
    ).toBeGreaterThanOrEqual(report.model.throttled);
  });

  it("never ran an agent function above its reserved concurrency, and Lambda's refusals were waited out", () => {
    for (const [agent, reserved] of Object.entries(limits.reservedConcurrency)) {
      expect(report.peakConcurrency[agent as keyof typeof report.peakConcurrency] ?? 0, agent).toBeLessThanOrEqual(
        reserved,
      );
    }
    expect(report.lambdaThrottles).toBeGreaterThan(0);
    expect(report.stateRetriesPerJob.max).toBeGreaterThan(0);
  });
});
