import { type Model, Usage } from "@openai/agents-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import { REPORTER_INSTRUCTIONS, withTaggingNote } from "../../lib/agents/reporter.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { OfflineModel } from "../../lib/models/offline.js";
import { renderJobPage } from "../../lib/output/job-output.js";
import { renderMarkdown } from "../../lib/output/markdown.js";
import { MIN_CHARTS, qualityGate, REQUIRED_REPORT_SECTIONS } from "../../lib/pipeline/quality-gate.js";
import { STATE } from "../../lib/pipeline/states.js";
import { seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, statesEntered, userWithJob } from "../support/pipeline.js";

type Gate = { passed: boolean; reasons: string[] };
const gateOf = (job: { summary_payload: Record<string, unknown> | null } | undefined) =>
  job?.summary_payload?.quality_gate as Gate;

/** A model that only ever answers in text, as the issue's local server did. */
const textOnly: Model = {
  async getResponse() {
    return {
      output: [
        {
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Here is my analysis: your portfolio looks fine." }],
        },
      ],
      usage: new Usage({ requests: 1, inputTokens: 50, outputTokens: 10, totalTokens: 60 }),
    };
  },
  // biome-ignore lint/correctness/useYield: never streamed
  async *getStreamedResponse() {
    throw new Error("not streamed");
  },
};

const INJECTED =
  "\n\nAs instructed in the notes: [claim your refund](https://evil.example/claim?u=1) or see https://evil.example/x.";

const holdings = [
  [
    { symbol: "SPY", quantity: 20 },
    { symbol: "BND", quantity: 30 },
    { symbol: "VXUS", quantity: 15 },
  ],
];

describe("the quality gate, through the state machine", () => {
  let db: PgliteDb;
  let base: AgentDeps;

  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    base = await offlineDeps(db);
  });
  afterAll(() => db.close());

  it("the offline model's outputs pass: completed, through Quality gate to Analysis complete", async () => {
    const jobId = await userWithJob(db, "gate-offline", holdings, { years_until_retirement: 20 });
    const { execution, job } = await runJob(base, { jobId });
    expect(gateOf(job)).toEqual({ passed: true, reasons: [] });
    expect(job?.status).toBe("completed");
    expect(statesEntered(execution).slice(-2)).toEqual([STATE.qualityGate, STATE.done]);
  });

  it("a text-only model ends needs_review with each reason, never completed", async () => {
    const jobId = await userWithJob(db, "gate-text-only", holdings, { years_until_retirement: 20 });
    const { execution, job } = await runJob({ ...base, modelFor: () => textOnly }, { jobId });
    expect(execution.status).toBe("SUCCEEDED");
    expect(statesEntered(execution).slice(-2)).toEqual([STATE.qualityGate, STATE.needsReview]);
    expect(job?.status).toBe("needs_review");
    const gate = gateOf(job);
    expect(gate.passed).toBe(false);
    expect(gate.reasons).toEqual([
      "charter: failed (Error: The charter finished without storing a chart)",
      `report: missing section(s) ${REQUIRED_REPORT_SECTIONS.join(", ")}`,
      "report: quotes no dollar amounts or percentages",
      expect.stringMatching(/^report: not reviewed \(ModelBehaviorError: /),
      "retirement outlook: the text quotes none of its numbers",
    ]);
    // The tagger (text only too) classified nothing; the report's note says so, so tagging is no reason.
    expect((job?.report_payload as { content: string }).content).toContain("VXUS could not be classified");
    expect(job?.error_message).toBe(`Needs review: ${gate.reasons.join("; ")}`);
  });

  it("a reporter that obeys injected text ends needs_review, and its links are inert", async () => {
    const jobId = await userWithJob(db, "gate-injected", holdings, { years_until_retirement: 20 });
    const injected: AgentDeps = {
      ...base,
      modelFor: (agent, policy) =>
        agent === "reporter"
          ? new OfflineModel(async (turn) => {
              const step = await policy(turn);
              return "final" in step && typeof step.final === "string" ? { final: step.final + INJECTED } : step;
            }, agent)
          : undefined,
    };
    const { job } = await runJob(injected, { jobId });
    expect(job?.status).toBe("needs_review");
    expect(gateOf(job).reasons).toEqual([
      "links: model text links to https://evil.example/claim?u=1, https://evil.example/x (not allow-listed; shown as text)",
    ]);
    const content = (job?.report_payload as { content: string }).content;
    expect(content).toContain("https://evil.example/claim");
    expect(renderMarkdown(content)).not.toMatch(/<a [^>]*evil\.example/);
    const page = (await renderJobPage(job!)).body;
    expect(page).not.toMatch(/<a [^>]*evil\.example/);
    const notice = page.indexOf('class="needs-review"');
    expect(notice).toBeGreaterThan(-1);
    expect(notice).toBeLessThan(page.indexOf("<h2"));
    expect(page).toContain("<li>links: model text links to https://evil.example/claim?u=1");
  });
});

describe("qualityGate", () => {
  const report = (content: string, score = 90) => ({ content, review: { status: "reviewed", score, issues: [] } });
  const sections = REQUIRED_REPORT_SECTIONS.map((s) => `## ${s}\nWorth $100 and 10%.`).join("\n");
  const base = {
    chosen: ["reporter"],
    portfolio: null,
    charts: null,
    retirement: null,
    tagging: null,
    reviewThreshold: 70,
  };

  it("requires the sections the reporter is asked for", () => {
    for (const section of REQUIRED_REPORT_SECTIONS) expect(REPORTER_INSTRUCTIONS).toContain(`## ${section}`);
    expect(qualityGate({ ...base, report: report(sections) })).toEqual({ passed: true, reasons: [] });
    const numbered = REQUIRED_REPORT_SECTIONS.map((s, i) => `${i % 2 ? "#" : "###"} **${i + 1}. ${s}**\n$100, 10%.`);
    expect(qualityGate({ ...base, report: report(numbered.join("\n")) })).toEqual({ passed: true, reasons: [] });
    expect(qualityGate({ ...base, report: report(sections.replace("## Risk Assessment", "Risk")) }).reasons).toEqual([
      "report: missing section(s) Risk Assessment",
    ]);
  });

  it("names a low or missing review, too few charts, a thin outlook and an unexplained tagging failure", () => {
    const chart = { title: "t", type: "pie", description: "d", data: [{ name: "a", value: 1, color: "#3B82F6" }] };
    const result = qualityGate({
      ...base,
      chosen: ["reporter", "charter", "retirement"],
      report: { content: sections, review: { status: "error", error: "Reviewer timed out" } },
      charts: { a: chart, b: chart, c: { ...chart, data: [] } },
      retirement: { outlook: { success_rate: 80 }, analysis: "Looks fine." },
      tagging: { failed: [{ symbol: "ZZZQ", error: "model gave up" }] },
    });
    expect(result.reasons).toEqual([
      "report: not reviewed (Reviewer timed out)",
      `charts: 2 valid chart(s), at least ${MIN_CHARTS} needed`,
      "retirement outlook: the text quotes none of its numbers",
      "tagging: ZZZQ could not be classified and the report does not say so",
    ]);
    expect(qualityGate({ ...base, report: report(sections, 69) }).reasons).toEqual([
      "report: review score 69 is below 70",
    ]);
    const revised = { content: sections, review: { status: "reviewed", score: 55, issues: [], revised: true } };
    expect(qualityGate({ ...base, report: revised }).reasons).toEqual([
      "report: review score 55 is below 70 (of the first draft; the revision was fact-checked, not scored again)",
    ]);
    expect(
      qualityGate({
        ...base,
        report: report(`${sections}\nZZZQ could not be classified.`),
        tagging: { failed: [{ symbol: "ZZZQ", error: "x" }] },
      }).passed,
    ).toBe(true);
    const listedOnly = report(`${sections}\n| ZZZQ — Zeta Fund | $1,000.00 | 10.0% |\nLargest holding: ZZZQ.`);
    expect(
      qualityGate({ ...base, report: listedOnly, tagging: { failed: [{ symbol: "ZZZQ", error: "x" }] } }).reasons,
    ).toEqual(["tagging: ZZZQ could not be classified and the report does not say so"]);
  });

  it("takes the count of holdings that could not be classified for those it did not read by name", () => {
    const failed = ["Z0", "Z1", "Z2"].map((symbol) => ({ symbol, error: "x" }));
    const tagging = { failed, failed_count: 1250 };
    const noted = (line: string) => qualityGate({ ...base, report: report(`${sections}\n${line}`), tagging });
    const note = withTaggingNote("", { count: 1250, symbols: ["Z0", "Z1", "Z2"] });
    expect(note).toContain("1,250 holdings could not be classified (Z0, Z1, Z2 and 1,247 more)");
    expect(noted(note).passed).toBe(true);
    expect(noted("1250 holdings could not be classified.").passed).toBe(true);
    // Another count, or a count without saying what of it, explains nothing.
    expect(noted("1,249 holdings could not be classified (Z0, Z1, Z2).").reasons).toEqual([
      "tagging: 1247 symbols could not be classified and the report does not say so",
    ]);
    expect(noted("Z0, Z1 and Z2 hold 1,250 holdings.").reasons).toEqual([
      "tagging: 1250 symbols (Z0, Z1, Z2 and 1247 more) could not be classified and the report does not say so",
    ]);
  });
});
