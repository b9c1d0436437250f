import { Agent, run, tool } from "@openai/agents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { createJob } from "../../lib/db/repositories/jobs.js";
import { listTraceSpans } from "../../lib/db/repositories/traces.js";
import { upsertUser } from "../../lib/db/repositories/users.js";
import { OfflineModel } from "../../lib/models/offline.js";
import { withJobTrace } from "../../lib/tracing/job-trace.js";
import { testDb } from "../support/db.js";
import { type FakeServer, startFakeServer } from "../support/fake-bedrock.js";

const SECRET_PROMPT = "PROMPT-TEXT-4711: plan the analysis of this portfolio";
const SECRET_ARGUMENT = "ARGUMENT-TEXT-0815";

const schedule = tool({
  name: "run_reporter",
  description: "Schedule the reporter.",
  parameters: z.object({ reason: z.string() }),
  execute: async ({ reason }) => `reporter scheduled (${reason.length} chars)`,
});

const planner = new Agent({
  name: "Planner",
  instructions: "You are the planner.",
  tools: [schedule],
  model: new OfflineModel(({ toolResults }) =>
    toolResults.length > 0
      ? { final: "Scheduled: reporter." }
      : { toolCalls: [{ name: "run_reporter", arguments: { reason: SECRET_ARGUMENT } }] },
  ),
});

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

/** Every span an OTLP/JSON request body carries. */
const spansIn = (server: FakeServer): OtlpSpan[] =>
  server.requests.flatMap((r) =>
    r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)),
  );

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return (
    value &&
    (value.stringValue ?? (value.intValue === undefined ? undefined : Number(value.intValue)) ?? value.arrayValue)
  );
};

/** OTLP export: a local receiver on 127.0.0.1 gets the same spans as job_traces, with the same tree. */
describe("OTLP export", () => {
  let db: PgliteDb;
  let server: FakeServer;
  beforeAll(async () => {
    db = await testDb();
    await upsertUser(db, { clerk_user_id: "otlp" });
    server = await startFakeServer(() => ({ body: {} }));
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  async function tracedRun(content: boolean) {
    const jobId = await createJob(db, { clerk_user_id: "otlp" });
    const sent = server.requests.length;
    const deps = { db, config: { trace: { content, otlpEndpoint: server.url } } };
    const meta = {
      jobId,
      state: "Plan analysis",
      executionId: "arn:aws:states:us-east-1:000000000000:execution:alex:e1",
    };
    await withJobTrace(deps, meta, () => run(planner, SECRET_PROMPT));
    return {
      jobId,
      requests: server.requests.slice(sent),
      spans: spansIn({ ...server, requests: server.requests.slice(sent) }),
    };
  }

  it("sends every stored span to <endpoint>/v1/traces with its parent, tokens and job attributes", async () => {
    const { jobId, requests, spans } = await tracedRun(false);
    expect(requests.every((r) => r.method === "POST" && r.path === "/v1/traces")).toBe(true);
    const stored = await listTraceSpans(db, jobId);
    expect(spans).toHaveLength(stored.length);

    const named = (prefix: string) => spans.filter((s) => s.name.startsWith(prefix));
    const [agent] = named("invoke_agent Planner");
    const turns = named("turn ");
    const calls = named("chat offline");
    const [toolCall] = named("execute_tool run_reporter");
    expect(turns).toHaveLength(2);
    expect(calls).toHaveLength(2);
    expect(turns.every((t) => t.parentSpanId === agent.spanId)).toBe(true);
    expect(calls.map((c) => c.parentSpanId).sort()).toEqual(turns.map((t) => t.spanId).sort());
    expect(turns.map((t) => t.spanId)).toContain(toolCall.parentSpanId);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);

    for (const span of spans) {
      expect(attribute(span, "alex.job_id")).toBe(jobId);
      expect(attribute(span, "alex.state")).toBe("Plan analysis");
      expect(attribute(span, "alex.execution_id")).toMatch(/:execution:alex:e1$/);
      expect(BigInt(span.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span.startTimeUnixNano));
    }
    const storedCalls = stored.filter((s) => s.kind === "generation");
    expect(calls.map((c) => attribute(c, "gen_ai.usage.input_tokens")).sort()).toEqual(
      storedCalls.map((s) => s.input_tokens).sort(),
    );
    expect(attribute(toolCall, "gen_ai.tool.name")).toBe("run_reporter");
  });

  it("sends no prompt, tool argument or tool result by default", async () => {
    const { requests } = await tracedRun(false);
    const wire = JSON.stringify(requests.map((r) => r.body));
    expect(wire).not.toContain("PROMPT-TEXT-4711");
    expect(wire).not.toContain(SECRET_ARGUMENT);
    expect(wire).not.toContain("You are the planner");
    expect(wire).not.toContain("reporter scheduled");
  });

  it("sends prompts and tool arguments only with ALEX_TRACE_CONTENT=1", async () => {
    const { requests } = await tracedRun(true);
    const wire = JSON.stringify(requests.map((r) => r.body));
    expect(wire).toContain(SECRET_ARGUMENT);
    expect(wire).toContain("PROMPT-TEXT-4711");
  });

  it("a receiver that refuses the spans does not fail the task, and the spans are still stored", async () => {
    const refusing = await startFakeServer(() => ({ status: 400, body: { error: "no" } }));
    try {
      const jobId = await createJob(db, { clerk_user_id: "otlp" });
      const deps = { db, config: { trace: { content: false, otlpEndpoint: refusing.url } } };
      const output = await withJobTrace(
        deps,
        { jobId, state: "Plan analysis", executionId: null },
        async () => (await run(planner, "go")).finalOutput,
      );
      expect(output).toBe("Scheduled: reporter.");
      expect(refusing.requests.length).toBeGreaterThan(0);
      expect((await listTraceSpans(db, jobId)).length).toBeGreaterThan(0);
    } finally {
      await refusing.close();
    }
  });
});
