import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { showTrace } from "../../cli/trace-command.js";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { listTraceSpans, type TraceSpan } from "../../lib/db/repositories/traces.js";
import { renderTraceHtml } from "../../lib/tracing/trace-html.js";
import { renderTraceText, traceTotals, traceTree } from "../../lib/tracing/tree.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, userWithJob } from "../support/pipeline.js";

/** One job through the real state machine with the offline model; its agent runs are read back from job_traces. */
describe("job traces", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  let jobId: string;
  let spans: TraceSpan[];
  let summary: { usage: { input_tokens: number; output_tokens: number }; cost: Record<string, unknown> };
  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
    jobId = await userWithJob(
      db,
      "traced",
      [
        [
          { symbol: "SPY", quantity: 10 },
          { symbol: "BND", quantity: 20 },
          { symbol: "NEWX", quantity: 5, name: "New Fund", price: 30 },
        ],
      ],
      { years_until_retirement: 20 },
    );
    const { job } = await runJob(deps, { jobId });
    expect(job?.status).toBe("completed");
    summary = job?.summary_payload as typeof summary;
    spans = await listTraceSpans(db, jobId);
  });
  afterAll(() => db.close());

  const byId = (id: string | null) => spans.find((s) => s.span_id === id);
  const ofKind = (kind: string) => spans.filter((s) => s.kind === kind);
  /** The nearest agent above a span, skipping turns and SDK task spans. */
  const agentAbove = (span: TraceSpan) => {
    let parent = byId(span.parent_id);
    while (parent && parent.kind !== "agent") parent = byId(parent.parent_id);
    return parent;
  };

  it("records one agent span per agent run, each under its state and execution", () => {
    const agents = ofKind("agent")
      .map((s) => `${s.state}: ${s.name}`)
      .sort();
    expect(agents).toEqual([
      "Draw charts: Charter",
      "Plan analysis: Planner",
      "Project retirement: Retirement",
      "Tag instruments: Tagger",
      "Write report: Reporter",
      "Write report: Reviewer",
    ]);
    expect(new Set(spans.map((s) => s.execution_id)).size).toBe(1);
    expect(spans[0].execution_id).toMatch(/^arn:aws:states:.*:execution:/);
    expect(spans.every((s) => s.job_id === jobId)).toBe(true);
  });

  it("puts every model call and tool call under the agent that made it, with tokens and finish reason", () => {
    const planner = ofKind("agent").find((s) => s.name === "Planner")!;
    const plannerCalls = ofKind("generation").filter((s) => agentAbove(s)?.span_id === planner.span_id);
    // One call: the planner's run ends with the turn whose tool calls all scheduled a specialist (no closing text).
    expect(plannerCalls).toHaveLength(1);
    expect(plannerCalls.map((s) => s.detail.finish_reason)).toEqual(["tool_calls"]);
    expect(plannerCalls[0].detail.tool_calls).toEqual(["run_reporter", "run_charter", "run_retirement"]);
    for (const call of ofKind("generation")) {
      expect(call.model).toBe("offline");
      expect(call.input_tokens).toBeGreaterThan(0);
      expect(call.output_tokens).toBeGreaterThan(0);
    }
    const plannerTools = ofKind("function").filter((s) => agentAbove(s)?.span_id === planner.span_id);
    expect(plannerTools.map((s) => s.name).sort()).toEqual(["run_charter", "run_reporter", "run_retirement"]);
    const reporterTool = plannerTools.find((s) => s.name === "run_reporter")!;
    expect(JSON.parse(String(reporterTool.detail.arguments)).reason).toMatch(/position/);
    expect(reporterTool.detail.result).toBe("reporter scheduled");
    const charts = ofKind("function").filter((s) => s.name === "create_chart");
    expect(charts.length).toBeGreaterThanOrEqual(4);
    expect(charts.every((s) => agentAbove(s)?.name === "Charter")).toBe(true);
  });

  it("keeps prompts out of the stored trace by default", () => {
    for (const call of ofKind("generation")) expect(call.detail).not.toHaveProperty("prompt");
    expect(JSON.stringify(spans)).not.toContain("You are the planner");
  });

  it("renders the tree state → agent → turn → model call / tool call, and totals the model calls' tokens", () => {
    const tree = traceTree(spans);
    expect(tree.map((s) => s.state)).toEqual([
      "Tag instruments",
      "Plan analysis",
      ...tree.slice(2).map((s) => s.state),
    ]);
    const plan = tree.find((s) => s.state === "Plan analysis")!;
    expect(plan.roots.map((n) => n.span.kind)).toEqual(["agent"]);
    const turns = plan.roots[0].children;
    expect(turns.map((n) => n.span.kind)).toEqual(["turn"]);
    expect(turns[0].children.map((n) => n.span.kind).sort()).toEqual([
      "function",
      "function",
      "function",
      "generation",
    ]);
    const text = renderTraceText(spans);
    expect(text).toContain("Plan analysis");
    expect(text).toMatch(/└─ agent Planner/);
    expect(text).toMatch(/tool run_reporter .*args \{"reason":/);
    const totals = traceTotals(spans);
    const generations = ofKind("generation");
    expect(totals.model_calls).toBe(generations.length);
    expect(totals.input_tokens).toBe(generations.reduce((sum, s) => sum + s.input_tokens!, 0));
    expect(totals.errors).toBe(0);
  });

  it("`alex show JOB --trace` prints the tree with totals and cost; --json gives the spans, totals and cost", async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
    try {
      expect(await showTrace(db, jobId, false)).toBe(0);
      expect(await showTrace(db, jobId, true)).toBe(0);
    } finally {
      vi.restoreAllMocks();
    }
    const [text, json] = out;
    expect(text).toMatch(/^Execution arn:aws:states:/);
    expect(text).toMatch(
      /6 agent run\(s\), \d+ model call\(s\) \([\d,]+ in \/ [\d,]+ out tokens\), \d+ tool call\(s\), 0 error\(s\); cost \$0\.000000 \(offline\)/,
    );
    const parsed = JSON.parse(json);
    expect(parsed.spans).toHaveLength(spans.length);
    expect(parsed.totals.model_calls).toBe(ofKind("generation").length);
    expect(parsed.cost).toEqual([expect.objectContaining({ model: "offline", usd: 0 })]);
  });

  it("index.html's trace section lists every agent and tool call", () => {
    const html = renderTraceHtml(spans);
    for (const agent of ["Tagger", "Planner", "Reporter", "Charter", "Retirement"])
      expect(html).toContain(`<strong>agent ${agent}</strong>`);
    expect(html.match(/<strong>tool /g)).toHaveLength(ofKind("function").length);
  });

  it("the summary carries the job's cost next to its tokens, from the price table (the offline model costs nothing)", () => {
    expect(summary.cost).toMatchObject({
      usd: 0,
      model: "offline",
      input_usd_per_million: 0,
      source: expect.any(String),
      as_of: expect.any(String),
    });
    const totals = traceTotals(spans);
    expect(summary.usage).toMatchObject({ input_tokens: totals.input_tokens, output_tokens: totals.output_tokens });
  });
});
