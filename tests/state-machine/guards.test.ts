import type { Model } from "@openai/agents";
import { assistantMessage, functionCall, modelError, ScriptedModel } from "@openai/agents/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps, AgentName } from "../../lib/agents/common.js";
import { ChartsPayload } from "../../lib/charts/chart.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import { seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, userWithJob } from "../support/pipeline.js";

type Summary = {
  chosen: { agent: string; reason: string }[];
  plan: { source: string; model_choice: string[]; added: string[]; removed: string[] } | null;
  missing: { agent: string; reason: string }[];
  results: Record<string, { status: string }>;
};

const chart = (key: string, color = "#3B82F6") => ({
  key,
  title: key,
  type: "pie",
  description: "Scripted chart",
  data: [{ name: "Equity", value: 100, color }],
});

describe("guards around a real model's decisions, through the state machine", () => {
  let db: PgliteDb;
  let base: AgentDeps;
  const withModels = (models: Partial<Record<AgentName, Model>>): AgentDeps => ({
    ...base,
    modelFor: (agent) => models[agent],
  });
  const threeHoldings = [
    [
      { symbol: "SPY", quantity: 2 },
      { symbol: "BND", quantity: 3 },
      { symbol: "GLD", quantity: 1 },
    ],
  ];

  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    base = await offlineDeps(db);
  });
  afterAll(() => db.close());

  it("planner answers in text only, twice → the rules choose, plan is model+rules, every output is there", async () => {
    const jobId = await userWithJob(db, "planner-text", threeHoldings, { years_until_retirement: 20 });
    const planner = new ScriptedModel([
      [assistantMessage("I think a report would help.")],
      [assistantMessage('{"run_reporter": true}')],
    ]);
    const { execution, job } = await runJob(withModels({ planner }), { jobId });
    expect(execution.status).toBe("SUCCEEDED");
    expect(job?.status).toBe("completed");
    const summary = job?.summary_payload as Summary;
    expect(summary.plan).toEqual({
      source: "model+rules",
      model_choice: [],
      added: ["reporter", "charter", "retirement"],
      removed: [],
    });
    expect(summary.chosen.map((c) => c.agent)).toEqual(["reporter", "charter", "retirement"]);
    expect(summary.chosen[0].reason).toBe("Added by the planner's rules: the portfolio has 3 position(s).");
    expect(summary.missing).toEqual([]);
    expect((job?.report_payload as { content: unknown }).content).toEqual(
      expect.stringContaining("## Executive Summary"),
    );
    expect(ChartsPayload.parse(job?.charts_payload)).toEqual(job?.charts_payload); // the original frontend's chart shape
    expect(job?.retirement_payload).not.toBeNull();
    expect(planner.calls[1].request.modelSettings.toolChoice).toBe("required");
    planner.assertComplete();
  });

  it("a planner choice no rule supports is removed and recorded", async () => {
    const jobId = await userWithJob(db, "planner-extra", [[{ symbol: "SPY", quantity: 1 }]]);
    const planner = new ScriptedModel([
      [
        functionCall("run_reporter", { reason: "one holding" }, { callId: "r" }),
        functionCall("run_retirement", { reason: "why not" }, { callId: "x" }),
      ],
      [assistantMessage("reporter and retirement")],
    ]);
    const { job } = await runJob(withModels({ planner }), { jobId });
    const summary = job?.summary_payload as Summary;
    expect(summary.plan).toEqual({
      source: "model+rules",
      model_choice: ["reporter", "retirement"],
      added: [],
      removed: ["retirement"],
    });
    expect(summary.chosen.map((c) => c.agent)).toEqual(["reporter"]);
    expect(job?.retirement_payload).toBeNull();
  });

  it("charter draws 2 valid of 6 → one more turn naming the refused charts and why", async () => {
    const jobId = await userWithJob(db, "charter-retry", threeHoldings);
    const charter = new ScriptedModel([
      [
        functionCall("create_chart", chart("asset_allocation"), { callId: "c1" }),
        functionCall("create_chart", chart("top_holdings"), { callId: "c2" }),
        functionCall("create_chart", chart("bad_colour", "blue"), { callId: "c3" }),
        functionCall("create_chart", { ...chart("no_data"), data: [] }, { callId: "c4" }),
        functionCall("create_chart", { ...chart("wrong_type"), type: "radar" }, { callId: "c5" }),
        functionCall("create_chart", chart("Bad Key"), { callId: "c6" }),
      ],
      [assistantMessage("Six charts.")],
      [
        functionCall("create_chart", chart("bad_colour"), { callId: "c7" }),
        functionCall("create_chart", chart("no_data"), { callId: "c8" }),
      ],
    ]);
    const { job } = await runJob(withModels({ charter }), { jobId });
    expect(job?.status).toBe("completed");
    expect(Object.keys(job?.charts_payload ?? {}).sort()).toEqual([
      "asset_allocation",
      "bad_colour",
      "no_data",
      "top_holdings",
    ]);
    const reminder = JSON.stringify(charter.calls[2].request.input);
    expect(reminder).toContain(
      "Only 2 of at least 4 charts are stored. Stored so far: asset_allocation, top_holdings.",
    );
    expect(reminder).toContain("- bad_colour: data[0].color: must be a hex colour #RRGGBB");
    expect(reminder).toContain("- no_data: data: Too small");
    expect(reminder).toContain("- wrong_type: type:");
    expect(reminder).toContain("- Bad Key: key: must be snake_case");
    expect(charter.calls[2].request.modelSettings.toolChoice).toBe("required");
    charter.assertComplete();
  });

  it("a non-empty portfolio with no specialist output fails, and Finalize says which specialist is missing", async () => {
    const jobId = await userWithJob(db, "nobody-planned", threeHoldings);
    const { planner } = await import("../../functions/planner.js");
    const emptyPlan: TaskFunction<unknown> = async (event, deps) => ({
      ...(await planner(event, deps)),
      specialists: [],
      count: 0,
    });
    const { job } = await runJob(base, { jobId }, { taskFunctions: { planner: emptyPlan } });
    expect(job?.status).toBe("failed");
    expect(job?.error_message).toBe(
      "No specialist output for a non-empty portfolio: reporter not scheduled although the portfolio has 3 position(s); " +
        "charter not scheduled although the portfolio has 3 priced positions",
    );
    expect((job?.summary_payload as Summary).missing.map((m) => m.agent)).toEqual(["reporter", "charter"]);
  });

  it("reviewer fails → the report is stored, its review marked error (never a pass)", async () => {
    const jobId = await userWithJob(db, "reviewer-fails", threeHoldings);
    const reviewer = new ScriptedModel([modelError(new Error("Bedrock is down"))]);
    const { job } = await runJob(withModels({ reviewer }), { jobId });
    expect(job?.status).toBe("needs_review");
    expect(job?.error_message).toMatch(/^Needs review: report: not reviewed \(/);
    const report = job?.report_payload as { content: string; review: Record<string, unknown> };
    expect(report.content).toContain("## Executive Summary");
    expect(report.review).toEqual({
      status: "error",
      error: "Error: Bedrock is down",
      revised: false,
      model: "offline",
    });
  });

  it("a review below the threshold has the reporter revise once with the issues", async () => {
    const jobId = await userWithJob(db, "reviewer-low", threeHoldings);
    const issue = { sentence: "- Equity 60.0%.", problem: "the equity share is wrong" };
    const reviewer = new ScriptedModel([[assistantMessage(JSON.stringify({ score: 40, issues: [issue] }))]]);
    const { job } = await runJob(withModels({ reviewer }), { jobId });
    const report = job?.report_payload as {
      review: { status: string; score: number; issues: unknown[]; revised: boolean };
    };
    expect(report.review).toEqual({
      status: "reviewed",
      score: 40,
      issues: [issue],
      revised: true,
      revision_findings: [],
      model: "offline",
    });
  });
});
