import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import { saveExecutionTrace } from "../../lib/db/repositories/execution-trace.js";
import { getJob } from "../../lib/db/repositories/jobs.js";
import { executionGraph, renderExecutionGraphSvg, type TraceEvent } from "../../lib/output/execution-graph.js";
import { executionGraphSvg } from "../../lib/output/job-output.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import { buildDefinition, SPECIALIST_STATE, STATE } from "../../state-machine/definition.js";
import { LOCAL_ARNS } from "../../state-machine/local-executor.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, userWithJob } from "../support/pipeline.js";

const definition = buildDefinition(LOCAL_ARNS);
const failing: TaskFunction<unknown> = async () => {
  const error = new Error("the plotter caught fire");
  error.name = "ChartBoom";
  throw error;
};

describe("the execution graph", () => {
  let deps: AgentDeps;

  let trace: TraceEvent[];
  let jobId: string;

  beforeAll(async () => {
    deps = await offlineDeps(await testDb());
    jobId = await userWithJob(
      deps.db,
      "graph-user",
      [
        [
          { symbol: "SPY", quantity: 1 },
          { symbol: "QQQ", quantity: 1 },
        ],
      ],
      { years_until_retirement: 10 },
    );
    const { execution } = await runJob(deps, { jobId }, { taskFunctions: { charter: failing } });
    trace = execution.events;
    await saveExecutionTrace(deps.db, jobId, trace);
  }, 120_000);
  afterAll(() => deps.db.close());

  it("shows a failed specialist's Map item as caught and every other state that ran as succeeded", () => {
    const graph = executionGraph(definition, trace);
    const status = (state: string, index?: number) =>
      graph.nodes.find((n) => n.state === state && n.index === index)?.status;
    const charts = graph.nodes.find((n) => n.state === SPECIALIST_STATE.charter)!;
    expect(charts.status).toBe("caught");
    expect(status(STATE.recordSpecialistFailure, charts.index)).toBe("succeeded");
    for (const state of [SPECIALIST_STATE.reporter, SPECIALIST_STATE.retirement]) {
      const node = graph.nodes.find((n) => n.state === state)!;
      expect(node.status).toBe("succeeded");
      expect(node.durationMs).toBeGreaterThanOrEqual(0);
      expect(status(STATE.recordSpecialistFailure, node.index)).toBeUndefined();
    }
    for (const state of [
      STATE.prepareJob,
      STATE.planAnalysis,
      STATE.runSpecialists,
      STATE.finalizeJob,
      STATE.needsReview,
    ]) {
      expect(status(state)).toBe("succeeded");
    }
    expect(status(STATE.markJobFailed)).toBe("skipped");
    expect(status(STATE.done)).not.toBe("succeeded");
    expect(new Set(graph.nodes.filter((n) => n.index !== undefined).map((n) => n.index))).toEqual(new Set([0, 1, 2]));
  });

  it("draws the saved trace as SVG, one box per state with its status", async () => {
    const job = await getJob(deps.db, jobId);
    const svg = executionGraphSvg(job!.summary_payload, definition)!;
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toMatch(/data-state="Draw charts" data-index="\d" data-status="caught"/);
    expect(svg.match(/data-status="succeeded"/g)!.length).toBeGreaterThanOrEqual(10);
    expect(svg).not.toMatch(/(x|y)="-/);
  });

  it("draws a Map that never ran once, not reached, and escapes state names", () => {
    const svg = renderExecutionGraphSvg(executionGraph(definition, []), { title: "<b>" });
    expect(svg).toContain('data-state="Write report" data-status="not-reached"');
    expect(svg).toContain("&lt;b&gt;");
    expect(svg).not.toContain("<b>");
  });
});
