import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { label } from "../../lib/format.js";
import { readRetirementOutlook, readReview, topActions } from "../../lib/output/adapters.js";
import { renderIndexHtml } from "../../lib/output/index-html.js";
import { renderJobPage, writeJobOutput } from "../../lib/output/job-output.js";

const REPORT = [
  "# Report",
  "## Summary",
  "- not an action",
  "## Recommendations",
  "1. Add **international** exposure.",
  "2. Buy bonds.",
  "3. Rebalance yearly.",
  "4. Fourth, left out.",
  "## Market context",
  "- not an action either",
].join("\n");

const job = (overrides: Record<string, unknown> = {}) => ({
  id: "6f1c2c59-1c1e-4c55-9d5b-0d3f0a5c7e11",
  status: "completed",
  error_message: null,
  report_payload: { content: REPORT },
  charts_payload: null,
  retirement_payload: {
    analysis: "## Outlook\n\nProse.",
    outlook: {
      success_rate: 62.5,
      retirement_age: 67,
      goals_set: true,
      money: { target_income: 60000 },
      what_it_takes: { target_success: 85, spending_per_year: 41000 },
      assumed: [{ assumption: "withdrawal_tax_rate", percent: 14, applies_to: ["401(k)"], source: "IRS SOI" }],
    },
    projections: [],
  },
  summary_payload: { portfolio: { total_value: 1000.5, invested: 900.25, cash: 100.25 }, model: "offline" },
  ...overrides,
});

describe("summary adapters", () => {
  it("reads the retirement outlook in today's dollars, or nothing", () => {
    expect(readRetirementOutlook(job().retirement_payload)).toEqual({
      successRate: 62.5,
      targetIncomeToday: 60000,
      spendingAtTarget: { perYear: 41000, successRate: 85 },
      assumed: ["14% tax assumed on withdrawals from 401(k) (no rate given)"],
      retirementAge: 67,
    });
    expect(readRetirementOutlook({ analysis: "x" })).toBeNull();
    expect(readRetirementOutlook(null)).toBeNull();
  });

  it("reads the reviewer's score, its failure, or nothing", () => {
    expect(readReview({ content: "x", review: { score: 8, revised: true } })).toEqual({
      kind: "scored",
      score: 8,
      revised: true,
    });
    expect(readReview({ content: "x", review: { status: "error" } })).toEqual({ kind: "error" });
    expect(readReview({ content: "x" })).toBeNull();
  });

  it("takes the first three recommendations, not other lists", () => {
    expect(topActions(REPORT)).toEqual(["Add **international** exposure.", "Buy bonds.", "Rebalance yearly."]);
    expect(topActions("# Report\n- a\n- b")).toEqual([]);
  });
});

describe("the page", () => {
  it("puts the summary cards first, then the report, charts, retirement, how it ran and raw data", async () => {
    const html = (await renderJobPage(job())).body;
    const order = [
      'id="overview"',
      'id="report"',
      'id="charts"',
      'id="retirement"',
      'id="execution"',
      'id="summary"',
    ].map((id) => html.indexOf(id));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain("$1,001");
    expect(html).toContain("vs $100 in cash (90.0% invested)");
    expect(html).toContain("62.5% of paths");
    expect(html).toContain("fund $60,000 a year from age 67 (today&#39;s dollars); 85% of paths pay $41,000 a year");
    expect(html).toContain(
      "<li>Add <strong>international</strong> exposure.</li><li>Buy bonds.</li><li>Rebalance yearly.</li></ol>",
    );
    expect(html).not.toContain("Reviewer");
  });

  it("flags prices more than 5 trading days old beside the value, and not recent ones", async () => {
    const summary = (asOf: string) => ({
      portfolio: { total_value: 1000.5, invested: 900.25, cash: 100.25 },
      completed_at: "2026-12-07T22:00:00.000Z",
      prices: { used: { as_of: asOf, source: "seed", stale: [], user_given: [], unpriced: [] } },
    });
    const old = (await renderJobPage(job({ summary_payload: summary("2024-01-02") }))).body;
    expect(old).toContain('<div class="card stale"><h2>Total value</h2><p class="value">$1,001</p>');
    expect(old).toContain("Stale: prices as of 2024-01-02, 763 trading days before this valuation");
    const recent = (await renderJobPage(job({ summary_payload: summary("2026-11-30") }))).body;
    expect(recent).not.toContain("Stale:");
    expect(recent).toContain('<p class="value">$1,001</p><p class="note">today</p>');
  });

  it("shows the reviewer's score once the report has one", async () => {
    const html = (
      await renderJobPage(job({ report_payload: { content: REPORT, review: { score: 7, revised: false } } }))
    ).body;
    expect(html).toMatch(/Reviewer&#39;s score<\/h2><p class="value">7<\/p>/);
  });

  it("capitalises proper names in labels", () => {
    expect(label("north_america")).toBe("North America");
    expect(label("fixed_income")).toBe("Fixed income");
  });

  it("names the person and the date in the heading and the tab, not the job id", async () => {
    const named = job({
      retirement_payload: {
        ...job().retirement_payload,
        outlook: { ...job().retirement_payload.outlook, name: "Ada <L>" },
      },
      summary_payload: { ...job().summary_payload, completed_at: "2026-12-07T21:54:25.735Z" },
    });
    const html = (await renderJobPage(named)).body;
    expect(html).toContain("<h1>Ada &lt;L&gt;'s portfolio analysis</h1>");
    expect(html).toContain("7 December 2026 · ");
    const dir = await mkdtemp(join(tmpdir(), "alex-page-"));
    await writeJobOutput(dir, named);
    expect(await readFile(join(dir, "index.html"), "utf8")).toContain(
      "<title>Ada &lt;L&gt;&#39;s portfolio analysis, 7 December 2026</title>",
    );
    expect((await renderJobPage(job())).body).toContain("<h1>Portfolio analysis</h1>");
  });

  it("lists the time per state in the order the states ran, with the graph's numbers", async () => {
    const execution = [
      { type: "ExecutionStarted", at: 0 },
      { type: "StateEntered", state: "Prepare job", at: 1 },
      { type: "StateExited", state: "Prepare job", at: 38 },
      { type: "StateEntered", state: "Run specialists", at: 40 },
      { type: "StateEntered", state: "Write report", index: 0, at: 41 },
      { type: "StateEntered", state: "Draw charts", index: 1, at: 42 },
      { type: "StateExited", state: "Draw charts", index: 1, at: 100 },
      { type: "StateExited", state: "Write report", index: 0, at: 300 },
      { type: "StateExited", state: "Run specialists", at: 301 },
    ];
    const html = (
      await renderJobPage(
        job({ summary_payload: { ...job().summary_payload, execution, timings: { by_state: { "Prepare job": 34 } } } }),
      )
    ).body;
    const rows = [...html.matchAll(/<tr><th>([^<]+)<\/th><td>([\d,]+) ms/g)].map((m) => `${m[1]}: ${m[2]}`);
    expect(rows).toEqual([
      "Prepare job: 37",
      "Run specialists: 261",
      "Write report (item 0): 259",
      "Draw charts (item 1): 58",
    ]);
  });

  it("keeps the agent trace collapsed, and hides it and the raw data in print", async () => {
    const html = renderIndexHtml({
      jobId: "j",
      person: null,
      date: null,
      status: "completed",
      errorMessage: null,
      report: { value: null },
      charts: { value: null },
      retirement: { value: null },
      summary: { value: null },
      cards: { totalValue: null, invested: null, cash: null, outlook: null, review: null, actions: [] },
      execution: { graphSvg: null, timings: [], model: null, usage: null },
      traceHtml: '<section id="trace"><details class="trace-body"><summary>x</summary></details></section>',
    });
    const print = /@media print \{([\s\S]*?)\n\}/.exec(html)?.[1] ?? "";
    const hidden = /^\s*([^{\n]*)\{ display: none; \}/m.exec(print)?.[1] ?? "";
    expect(hidden.split(",").map((selector) => selector.trim())).toEqual(
      expect.arrayContaining(["#summary", "#trace .trace-body", ".fan-narrow"]),
    );
    expect(html).not.toContain("<details open");
  });
});
