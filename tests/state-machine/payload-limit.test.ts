import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planner } from "../../functions/planner.js";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import { STATE } from "../../state-machine/definition.js";
import { STATE_PAYLOAD_LIMIT_BYTES } from "../../state-machine/local-executor.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, statesEntered, userWithJob } from "../support/pipeline.js";

/** The real planner, its result padded to `bytes` more (a state payload growing with the portfolio). */
const padded =
  (bytes: number): TaskFunction<unknown> =>
  async (event, deps) => ({ ...((await planner(event, deps)) as object), padding: "x".repeat(bytes) });

describe("Step Functions' 256 KiB state payload quota in the local executor", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
  });
  afterAll(() => db.close());

  const holdings = [[{ symbol: "VTI", quantity: 10 }]];

  it("a task output over the quota fails the execution with States.DataLimitExceeded, past its Catch", async () => {
    const jobId = await userWithJob(db, "payload-over", holdings);
    const { execution, job } = await runJob(
      deps,
      { jobId },
      { taskFunctions: { planner: padded(STATE_PAYLOAD_LIMIT_BYTES) } },
    );
    expect(execution.status).toBe("FAILED");
    expect(execution.error?.name).toBe("States.DataLimitExceeded");
    expect(execution.error?.message).toMatch(
      /state "Plan analysis" is \d+ bytes, over Step Functions' payload quota of 262144 bytes/,
    );
    expect(statesEntered(execution)).not.toContain(STATE.runSpecialists);
    expect(job?.status).toBe("failed");
    expect(job?.error_message).toMatch(/^Execution FAILED: States.DataLimitExceeded: /);
  });

  it("a task output just under the quota goes on", async () => {
    const jobId = await userWithJob(db, "payload-under", holdings);
    const { execution, job } = await runJob(
      deps,
      { jobId },
      { taskFunctions: { planner: padded(STATE_PAYLOAD_LIMIT_BYTES - 4096) } },
    );
    expect(execution.status).toBe("SUCCEEDED");
    expect(job?.status).toBe("completed");
  });
});
