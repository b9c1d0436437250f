import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { CAPACITY_RETRY } from "../../lib/scale/limits.js";
import { STATE } from "../../state-machine/definition.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { type Holding, runJob, statesEntered, userWithJob } from "../support/pipeline.js";
import { asAppRole, hanging, type Summary, throttled, throwing, unfinishedJobs } from "./support.js";

/**
 * The fault matrix (docs/reliability.md) on one shared database; every execution runs as the
 * application role (`alex_app`), so the functions' database grants are exercised too. After every
 * case no job is left pending or running.
 */
describe("faults in the pipeline", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  let n = 0;
  const user = (
    holdings: Holding[] = [
      { symbol: "SPY", quantity: 2 },
      { symbol: "BND", quantity: 3 },
    ],
  ) => userWithJob(db, `fault-${++n}`, [holdings], { years_until_retirement: 20 });
  const untaggedUser = () =>
    user([
      { symbol: "SPY", quantity: 2 },
      { symbol: `NEW${n}`, quantity: 4, name: "Brand New Fund", price: 12 },
    ]);
  const run = (input: unknown, options: Parameters<typeof runJob>[2] = {}) =>
    asAppRole(db, () => runJob(deps, input, options));

  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
  });
  afterEach(async () => expect(await unfinishedJobs(db)).toEqual([]));
  afterAll(() => db.close());

  describe("model throttled", () => {
    it.each([1, 3])("tagger throttled %i× is retried and the job completes", async (times) => {
      const jobId = await untaggedUser();
      const tagger = throttled("tagger", times);
      const { job } = await run({ jobId }, { taskFunctions: { tagger: tagger.fn } });
      expect(tagger.calls()).toBe(times + 1);
      expect(job?.status).toBe("completed");
    });

    it.each([
      ["planner", 1],
      ["planner", 3],
    ] as const)("%s throttled %i× is retried and the job completes", async (agent, times) => {
      const jobId = await user();
      const planner = throttled(agent, times);
      const { job } = await run({ jobId }, { taskFunctions: { [agent]: planner.fn } });
      expect(planner.calls()).toBe(times + 1);
      expect(job?.status).toBe("completed");
      expect(job?.error_message).toBeNull();
    });

    it.each([
      ["reporter", 1],
      ["charter", 1],
      ["retirement", 1],
      ["reporter", 3],
      ["charter", 3],
      ["retirement", 3],
    ] as const)("%s throttled %i× still succeeds", async (agent, times) => {
      const jobId = await user();
      const specialist = throttled(agent, times);
      const { job } = await run({ jobId }, { taskFunctions: { [agent]: specialist.fn } });
      expect(specialist.calls()).toBe(times + 1);
      expect(job?.status).toBe("completed");
      expect((job?.summary_payload as Summary).results[agent].status).toBe("succeeded");
    });

    it("tagger throttled beyond the capacity wait fails the job with the reason", async () => {
      const jobId = await untaggedUser();
      const tagger = throttled("tagger", 999);
      const { job } = await run({ jobId }, { taskFunctions: { tagger: tagger.fn } });
      // Throttling is waited out (lib/scale/limits.ts): every attempt of the capacity Retry, then the job fails.
      expect(tagger.calls()).toBe(1 + CAPACITY_RETRY.maxAttempts);
      expect(job?.status).toBe("failed");
      expect(job?.error_message).toBe("ThrottledError: model still throttled after its retries");
    });

    it.each(["planner"] as const)("%s throttled beyond budget fails the job", async (agent) => {
      const jobId = await user();
      const { job } = await run({ jobId }, { taskFunctions: { [agent]: throttled(agent, 99).fn } });
      expect(job?.status).toBe("failed");
      expect(job?.error_message).toBe("ThrottledError: model still throttled after its retries");
    });

    const OUTPUT = { reporter: "report_payload", charter: "charts_payload", retirement: "retirement_payload" } as const;
    it.each(["reporter", "charter", "retirement"] as const)(
      "%s throttled beyond budget is recorded; the others finish and the job needs review",
      async (agent) => {
        const jobId = await user();
        const { job } = await run({ jobId }, { taskFunctions: { [agent]: throttled(agent, 99).fn } });
        expect(job?.status).toBe("needs_review");
        expect(job?.error_message).toMatch(
          new RegExp(`^Needs review: ${agent}: failed \\(ThrottledError: model still throttled after its retries\\)`),
        );
        const summary = job?.summary_payload as Summary;
        expect(summary.results[agent]).toEqual({
          status: "failed",
          error: "ThrottledError: model still throttled after its retries",
        });
        for (const other of Object.keys(OUTPUT) as (keyof typeof OUTPUT)[]) {
          if (other === agent) expect(job?.[OUTPUT[other]], other).toBeNull();
          else {
            expect(summary.results[other].status, other).toBe("succeeded");
            expect(job?.[OUTPUT[other]], other).not.toBeNull();
          }
        }
      },
    );
  });

  describe("specialists", () => {
    it("one throwing is recorded and the others' outputs are kept", async () => {
      const jobId = await user();
      const { job } = await run({ jobId }, { taskFunctions: { retirement: throwing("RangeError", "bad horizon") } });
      expect(job?.status).toBe("needs_review");
      // The report quotes the outlook the retirement specialist failed to store: the fact-check cannot accept it.
      expect(job?.error_message).toMatch(/^Needs review: retirement: failed \(RangeError: bad horizon\); report: /);
      expect((job?.summary_payload as Summary).results.retirement).toEqual({
        status: "failed",
        error: "RangeError: bad horizon",
      });
      expect(job?.retirement_payload).toBeNull();
      expect(job?.report_payload).not.toBeNull();
    });

    it("one hanging past its Task timeout is recorded as States.Timeout", async () => {
      const jobId = await user();
      const { job } = await run({ jobId }, { taskFunctions: { charter: hanging }, timeoutSeconds: { task: 1 } });
      expect(job?.status).toBe("needs_review");
      expect((job?.summary_payload as Summary).results.charter.status).toBe("failed");
      expect((job?.summary_payload as Summary).results.charter.error).toMatch(/^States\.Timeout/);
      expect(job?.charts_payload).toBeNull();
    });

    it("all failing fails the job with every reason", async () => {
      const jobId = await user();
      const fail = throwing("Error", "down");
      const { job } = await run({ jobId }, { taskFunctions: { reporter: fail, charter: fail, retirement: fail } });
      expect(job?.status).toBe("failed");
      expect(job?.error_message).toBe(
        "Every chosen specialist failed: reporter: Error: down; charter: Error: down; retirement: Error: down",
      );
    });

    it("a run past the execution's timeout fails the job as TIMED_OUT", async () => {
      const jobId = await user();
      const { execution, job } = await run(
        { jobId },
        { taskFunctions: { planner: hanging }, timeoutSeconds: { execution: 1 } },
      );
      expect(execution.status).toBe("FAILED");
      expect(job?.status).toBe("failed");
      expect(job?.error_message).toBe("Execution TIMED_OUT: the execution exceeded the state machine's TimeoutSeconds");
    });
  });

  describe("messages", () => {
    const record = (body: unknown, i = 0) => ({
      messageId: `m-${i}`,
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

    it("the same message 3× in a row: one analysis, then Already processed twice", async () => {
      const jobId = await user();
      const first = await run([record({ job_id: jobId })]);
      const report = (await getJob(db, jobId))?.report_payload;
      for (let i = 0; i < 2; i++) {
        const again = await run([record({ job_id: jobId })]);
        expect(statesEntered(again.execution)).toContain(STATE.alreadyProcessed);
      }
      expect(first.execution.status).toBe("SUCCEEDED");
      const job = await getJob(db, jobId);
      expect(job?.status).toBe("completed");
      expect(job?.report_payload).toEqual(report);
    });

    it("the same message 3× at once: exactly one execution claims the job", async () => {
      const jobId = await user();
      const runs = await asAppRole(db, () => Promise.all([0, 1, 2].map(() => runJob(deps, { jobId }))));
      const claimed = runs.filter((r) => !statesEntered(r.execution).includes(STATE.alreadyProcessed));
      expect(claimed).toHaveLength(1);
      expect((await getJob(db, jobId))?.status).toBe("completed");
    });

    it("malformed bodies and unknown jobs fail the execution without touching any job", async () => {
      for (const input of [
        [record("not json")],
        [record({ job: 42 })],
        { jobId: "not-a-uuid" },
        [],
        { jobId: crypto.randomUUID() },
      ]) {
        const { execution } = await run(input);
        expect(execution.status, JSON.stringify(input)).toBe("FAILED");
        expect(execution.error?.message, JSON.stringify(input)).toMatch(/Invalid job message|not found/);
      }
    });

    it("a batch of several records fails each named job by id with the reason", async () => {
      const [a, b] = [await user(), await user()];
      const { execution } = await run([record({ job_id: a }, 0), record({ jobId: b }, 1)]);
      expect(execution.status).toBe("FAILED");
      for (const id of [a, b]) {
        const job = await getJob(db, id);
        expect(job?.status).toBe("failed");
        expect(job?.error_message).toMatch(/must hold exactly one SQS record/);
      }
    });

    it("a body whose jobId and job_id disagree fails both jobs", async () => {
      const [a, b] = [await user(), await user()];
      await run([record({ jobId: a, job_id: b })]);
      for (const id of [a, b])
        expect((await getJob(db, id))?.error_message).toMatch(/jobId and job_id name different jobs/);
    });
  });

  describe("users", () => {
    it("two users at once: each job reads only its own user's portfolio", async () => {
      const a = await userWithJob(db, "iso-a", [[{ symbol: "SPY", quantity: 1 }]]);
      const b = await userWithJob(db, "iso-b", [[{ symbol: "BND", quantity: 7 }]]);
      await asAppRole(db, () => Promise.all([runJob(deps, { jobId: a }), runJob(deps, { jobId: b })]));
      const [ja, jb] = [await getJob(db, a), await getJob(db, b)];
      expect(JSON.stringify(ja?.portfolio_snapshot)).not.toMatch(/BND|iso-b/);
      expect(JSON.stringify(jb?.portfolio_snapshot)).not.toMatch(/"SPY"|iso-a/);
      expect(JSON.stringify(ja?.report_payload)).not.toContain("iso-b");
      expect([ja?.status, jb?.status]).toEqual(["completed", "completed"]);
    });

    it("a job created without a user is refused by the database", async () => {
      await expect(createJob(db, { clerk_user_id: "nobody-here" })).rejects.toThrow(/foreign key/);
    });
  });
});
