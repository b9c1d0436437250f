import validator from "asl-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import { SPECIALIST_PLANS, team } from "../../lib/agents/specialists.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { SPECIALIST_ROSTER } from "../../lib/roster.js";
import { seedDemo } from "../../lib/seed/demo.js";
import { buildDefinition, serializeDefinition } from "../../state-machine/definition.js";
import { LOCAL_ARNS, taskStates } from "../../state-machine/local-executor.js";
import { COUNTER_PLAN, counted } from "../fixtures/toy-specialist/counter.js";
import { counter } from "../fixtures/toy-specialist/handler.js";
import { COUNTER_ROW } from "../fixtures/toy-specialist/registry-row.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, statesEntered, userWithJob } from "../support/pipeline.js";

// A sixth specialist is its own files (tests/fixtures/toy-specialist: module with its planner part, handler) and one
// registry row: the definition, the planner (tool, rule, offline policy), the local executor and Finalize take it
// from there.

const roster = { ...SPECIALIST_ROSTER, ...COUNTER_ROW };
const withCounter = team(roster, { ...SPECIALIST_PLANS, counter: COUNTER_PLAN });
const COUNT_HOLDINGS = COUNTER_ROW.counter.state;

type Summary = {
  chosen: { agent: string; reason: string }[];
  results: Record<string, { status: string; error?: string }>;
  timings: { by_state: Record<string, number> };
};

describe("a toy specialist added by one registry row", () => {
  const arns = { ...LOCAL_ARNS, counter: "arn:aws:lambda:us-east-1:123456789012:function:alex-counter" };

  it("gets its own Task in the Map, after a Choice on its name, in valid ASL", () => {
    const definition = buildDefinition(arns, roster);
    const { isValid, errorsText } = validator(structuredClone(definition), { checkPaths: true, checkArn: true });
    expect(errorsText?.("\n") ?? "").toBe("");
    expect(isValid).toBe(true);
    expect(taskStates(definition, arns).get(COUNT_HOLDINGS)).toBe("counter");
    const map = definition.States["Run specialists"] as unknown as {
      MaxConcurrency: number;
      ItemProcessor: { States: Record<string, { Choices?: unknown[]; TimeoutSeconds?: number }> };
    };
    // Side by side with the others, not queued behind them: the Map runs every specialist of the roster at once.
    expect(map.MaxConcurrency).toBe(Object.keys(roster).length);
    expect(map.ItemProcessor.States["Which specialist?"].Choices).toContainEqual({
      Variable: "$.agent",
      StringEquals: "counter",
      Next: COUNT_HOLDINGS,
    });
    expect(map.ItemProcessor.States[COUNT_HOLDINGS].TimeoutSeconds).toBe(COUNTER_ROW.counter.lambda.timeoutSeconds + 5);
  });

  it("leaves the deployed definition as it is without the row", () => {
    expect(serializeDefinition(LOCAL_ARNS)).not.toContain(COUNT_HOLDINGS);
    expect(serializeDefinition(LOCAL_ARNS)).toBe(serializeDefinition(LOCAL_ARNS, SPECIALIST_ROSTER));
  });

  it("refuses a team whose specialist has a row but no planner part", () => {
    expect(() => team(roster, SPECIALIST_PLANS)).toThrow("A specialist needs a roster row and a plan: counter");
  });

  describe("executed locally", () => {
    let db: PgliteDb;
    let deps: AgentDeps;
    beforeAll(async () => {
      db = await testDb();
      await seedDemo(db);
      deps = await offlineDeps(db, { team: withCounter });
    });
    afterAll(() => db.close());

    const holdings = [
      { symbol: "SPY", quantity: 2 },
      { symbol: "BND", quantity: 3 },
      { symbol: "GLD", quantity: 1 },
    ];

    it("is chosen by the planner's rule, runs in the Map beside the others and is finalized", async () => {
      const jobId = await userWithJob(db, "counted", [holdings]);
      const { execution, job } = await runJob(deps, { jobId }, { specialistTasks: { counter } });
      expect(execution.status).toBe("SUCCEEDED");
      expect(statesEntered(execution)).toEqual(expect.arrayContaining(["Write report", "Draw charts", COUNT_HOLDINGS]));
      expect(counted.get(jobId)).toBe(3);
      expect(job?.status).toBe("completed");
      const summary = job?.summary_payload as Summary;
      expect(summary.chosen).toEqual([
        { agent: "reporter", reason: expect.stringContaining("3 position(s)") },
        { agent: "charter", reason: expect.stringContaining("3 priced positions") },
        { agent: "counter", reason: "3 holdings to count" },
      ]);
      expect(summary.results.counter).toMatchObject({ status: "succeeded" });
      expect(summary.timings.by_state[COUNT_HOLDINGS]).toBeGreaterThanOrEqual(0);
    });

    it("is not scheduled where its rule does not apply", async () => {
      const jobId = await userWithJob(db, "too-few", [holdings.slice(0, 2)]);
      const { execution, job } = await runJob(deps, { jobId }, { specialistTasks: { counter } });
      expect(execution.status).toBe("SUCCEEDED");
      expect(statesEntered(execution)).not.toContain(COUNT_HOLDINGS);
      expect((job?.summary_payload as Summary).chosen.map((c) => c.agent)).toEqual(["reporter", "charter"]);
    });

    it("fails alone: its error is recorded and the others' outputs are kept", async () => {
      const jobId = await userWithJob(db, "counter-fails", [holdings]);
      const broken = async () => {
        throw new Error("the counter lost count");
      };
      const { execution, job } = await runJob(deps, { jobId }, { specialistTasks: { counter: broken } });
      expect(execution.status).toBe("SUCCEEDED");
      const summary = job?.summary_payload as Summary;
      expect(summary.results.counter).toMatchObject({ status: "failed", error: expect.stringContaining("lost count") });
      expect(summary.results.reporter).toMatchObject({ status: "succeeded" });
      expect(job?.report_payload).not.toBeNull();
    });

    it("needs its handler to run", async () => {
      const jobId = await userWithJob(db, "no-handler", [holdings]);
      await expect(runJob(deps, { jobId })).rejects.toThrow(
        'State "Count holdings" runs the counter task, which has no local handler',
      );
    });
  });
});
