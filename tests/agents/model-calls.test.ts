import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { createJob } from "../../lib/db/repositories/jobs.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { profileModelCalls } from "../support/model-calls.js";
import { userWithJob } from "../support/pipeline.js";

/** Long enough that calls made side by side overlap; the counts below do not depend on it (timings are in the bench). */
const LATENCY_MS = 20;

describe("model calls per job, through the real state machine", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    deps = await offlineDeps(db);
  });
  afterAll(() => db.close());

  it("a classified portfolio with goals: one call per agent, at most 5, and 3 in a row (planner → reporter → reviewer)", async () => {
    const holdings = [
      [
        { symbol: "SPY", quantity: 10 },
        { symbol: "BND", quantity: 20 },
      ],
      [{ symbol: "QQQ", quantity: 5 }],
    ];
    const jobId = await userWithJob(db, "model-calls", holdings, { years_until_retirement: 20 });
    const profile = await profileModelCalls(deps, jobId, LATENCY_MS);
    expect(profile.status).toBe("SUCCEEDED");
    expect(profile.byAgent).toEqual({ planner: 1, reporter: 1, reviewer: 1, charter: 1, retirement: 1 });
    expect(profile.calls).toBeLessThanOrEqual(5);
    expect(profile.chain).toEqual(["planner", "reporter", "reviewer"]);
    expect(profile.chain.length).toBeLessThanOrEqual(3);
  });

  it("the demo, with one holding to classify: the tagger's call comes first, 6 calls, 4 in a row", async () => {
    const profile = await profileModelCalls(deps, await createJob(db, { clerk_user_id: DEMO_USER_ID }), LATENCY_MS);
    expect(profile.status).toBe("SUCCEEDED");
    expect(profile.calls).toBe(6);
    expect(profile.chain).toEqual(["tagger", "planner", "reporter", "reviewer"]);
  });
});
