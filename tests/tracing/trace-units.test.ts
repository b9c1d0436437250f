import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { createJob } from "../../lib/db/repositories/jobs.js";
import {
  insertTraceSpans,
  listTraceSpans,
  requestBytes,
  spanBatches,
  type TraceSpan,
} from "../../lib/db/repositories/traces.js";
import { upsertUser } from "../../lib/db/repositories/users.js";
import { jobCost, traceCost } from "../../lib/tracing/cost.js";
import { renderTraceHtml } from "../../lib/tracing/trace-html.js";
import { renderTraceText } from "../../lib/tracing/tree.js";
import { testDb } from "../support/db.js";

function span(fields: Partial<TraceSpan> & Pick<TraceSpan, "span_id" | "kind" | "name">): TraceSpan {
  return {
    job_id: "00000000-0000-4000-8000-000000000000",
    parent_id: null,
    trace_id: "trace_1",
    execution_id: "exec-1",
    state: "Plan analysis",
    started_at: "2026-12-02T10:00:00.000Z",
    duration_ms: 5,
    model: null,
    input_tokens: null,
    output_tokens: null,
    error: null,
    detail: {},
    ...fields,
  };
}

describe("cost per job", () => {
  it("prices gpt-oss-120b tokens from the table, with its source and date", () => {
    const cost = jobCost("bedrock:openai.gpt-oss-120b-1:0", { input_tokens: 1_000_000, output_tokens: 500_000 });
    expect(cost).toMatchObject({ usd: 0.45, input_usd_per_million: 0.15, output_usd_per_million: 0.6 });
    expect(cost.usd !== null && cost.source).toContain("Bedrock");
  });

  it("gives no cost, and says why, for a model without a listed price (never a guess)", () => {
    expect(jobCost("openai-compatible:llama3", { input_tokens: 10, output_tokens: 10 })).toEqual({
      usd: null,
      model: "openai-compatible:llama3",
      reason: expect.stringContaining("no price"),
    });
  });

  it("keys prices on provider and model: the same model behind another provider is unpriced, never Bedrock's rate", () => {
    for (const name of [
      "openai-compatible:openai.gpt-oss-120b-1:0",
      "openai-compatible.chat:gpt-oss-120b",
      "gpt-oss-120b",
    ])
      expect(jobCost(name, { input_tokens: 1_000, output_tokens: 1_000 })).toMatchObject({
        usd: null,
        reason: expect.stringMatching(/^unpriced/),
      });
    expect(
      jobCost("amazon-bedrock:openai.gpt-oss-20b-1:0", { input_tokens: 1_000_000, output_tokens: 0 }),
    ).toMatchObject({ usd: 0.07 });
    expect(jobCost("offline", { input_tokens: 5, output_tokens: 5 })).toMatchObject({ usd: 0 });
  });

  it("prices a trace per model called", () => {
    const calls = [
      { model: "amazon-bedrock:openai.gpt-oss-120b-1:0", input_tokens: 2_000, output_tokens: 1_000 },
      { model: "amazon-bedrock:openai.gpt-oss-120b-1:0", input_tokens: 2_000, output_tokens: 1_000 },
    ];
    expect(traceCost(calls)).toEqual([expect.objectContaining({ usd: 0.0018 })]);
  });
});

describe("trace rendering", () => {
  const hostile = [
    span({ span_id: "a", kind: "agent", name: "Planner" }),
    span({
      span_id: "t",
      parent_id: "a",
      kind: "function",
      name: "run_reporter",
      detail: { arguments: '{"reason":"</li><script>x</script>\n# H"}', result: "ok" },
    }),
    span({
      span_id: "g",
      parent_id: "a",
      kind: "generation",
      name: "model call",
      model: "offline",
      error: "boom <b>",
      input_tokens: 3,
      output_tokens: 4,
    }),
  ];

  it("escapes span text in HTML (tool arguments are user and model text)", () => {
    const html = renderTraceHtml(hostile);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain('<li class="error">');
  });

  it("keeps each span on one line in the terminal", () => {
    const lines = renderTraceText(hostile).split("\n");
    expect(lines).toEqual([
      "Execution exec-1",
      "Plan analysis",
      expect.stringContaining("agent Planner"),
      expect.any(String),
      expect.any(String),
    ]);
    expect(lines[3]).toMatch(/tool run_reporter .* # H"\} → ok/);
    expect(lines[4]).toMatch(/model call .*3 in \/ 4 out tokens.*ERROR boom/);
  });
});

describe("span batches", () => {
  it("are sized in Data API request bytes: UTF-8 and escaped, not characters", () => {
    const ascii = span({ span_id: "a", kind: "function", name: "x", detail: { result: "a".repeat(1000) } });
    const accented = span({ span_id: "b", kind: "function", name: "x", detail: { result: "é".repeat(1000) } });
    const quoted = span({ span_id: "c", kind: "function", name: "x", detail: { result: '"'.repeat(1000) } });
    expect(JSON.stringify(accented).length).toBe(JSON.stringify(ascii).length);
    expect(requestBytes(accented) - requestBytes(ascii)).toBe(1000); // two bytes per é
    expect(requestBytes(quoted) - requestBytes(ascii)).toBe(3000); // a quote is 4 bytes once escaped twice
    const budget = 2 * requestBytes(ascii) + 2;
    expect(spanBatches([ascii, ascii], budget)).toHaveLength(1);
    expect(spanBatches([accented, accented], budget)).toHaveLength(2);
    for (const batch of spanBatches([quoted, ascii, accented, quoted], budget))
      expect(batch.length === 1 || batch.reduce((sum, s) => sum + requestBytes(s) + 1, 0) <= budget).toBe(true);
  });
});

describe("job_traces repository", () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await testDb();
  });
  afterAll(() => db.close());

  it("batch-inserts spans as one JSON parameter, keeps a span once, and reads them back in start order", async () => {
    await upsertUser(db, { clerk_user_id: "traced" });
    const jobId = await createJob(db, { clerk_user_id: "traced" });
    const rows = Array.from({ length: 450 }, (_, i) =>
      span({
        job_id: jobId,
        span_id: `s${i}`,
        kind: "function",
        name: 'it\'s "quoted"',
        started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        detail: { arguments: "{}", result: "'; DROP TABLE jobs; --" },
      }),
    );
    await insertTraceSpans(db, rows);
    await insertTraceSpans(db, rows.slice(0, 10));
    const stored = await listTraceSpans(db, jobId);
    expect(stored).toHaveLength(450);
    expect(stored[0]).toEqual(rows[0]);
    expect(stored[449].detail.result).toBe("'; DROP TABLE jobs; --");
  });
});
