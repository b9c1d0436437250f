import { Agent, tool } from "@openai/agents";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { runAgent } from "../../lib/agents/common.js";
import { loadConfig } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { createJob } from "../../lib/db/repositories/jobs.js";
import { listTraceSpans, type TraceSpan } from "../../lib/db/repositories/traces.js";
import { upsertUser } from "../../lib/db/repositories/users.js";
import { createModel } from "../../lib/models/provider.js";
import { traceCost } from "../../lib/tracing/cost.js";
import { withJobTrace } from "../../lib/tracing/job-trace.js";
import { testDb } from "../support/db.js";
import { converse, type FakeServer, startFakeServer, useFakeAwsCredentials } from "../support/fake-bedrock.js";

/** The real Bedrock provider (aisdk) against a fake Converse server: its own model-call spans, a throttled attempt included. */
describe("trace of a Bedrock-backed agent run", () => {
  let db: PgliteDb;
  let server: FakeServer;
  let restoreEnv: () => void;
  let spans: TraceSpan[];
  beforeAll(async () => {
    restoreEnv = useFakeAwsCredentials();
    db = await testDb();
    await upsertUser(db, { clerk_user_id: "bedrock-trace" });
    const jobId = await createJob(db, { clerk_user_id: "bedrock-trace" });
    server = await startFakeServer([
      converse.throttled(),
      converse.toolUse("run_reporter", { reason: "3 positions" }),
      converse.text("Scheduled: reporter."),
    ]);
    const config = loadConfig({ ALEX_MODEL: "bedrock:openai.gpt-oss-120b-1:0", ALEX_MODEL_MAX_RETRIES: "2" });
    const model = createModel(config, {
      agent: "planner",
      offlinePolicy: () => ({ final: "unused" }),
      bedrockBaseURL: server.url,
    });
    const schedule = tool({
      name: "run_reporter",
      description: "Schedule the reporter.",
      parameters: z.object({ reason: z.string() }),
      execute: async () => "reporter scheduled",
    });
    const agent = new Agent({ name: "Planner", instructions: "Plan.", tools: [schedule] });
    const deps = { config, modelFor: () => model, retry: { minDelayMs: 1, maxDelayMs: 2, log: { warn: () => {} } } };
    const offlinePolicy = () => ({ final: "unused" });
    await withJobTrace({ db, config }, { jobId, state: "Plan analysis", executionId: "exec-1" }, () =>
      runAgent(deps, agent, "Plan this portfolio.", { name: "planner", jobId, offlinePolicy, maxTurns: 4 }),
    );
    spans = await listTraceSpans(db, jobId);
  });
  afterAll(async () => {
    await server.close();
    await db.close();
    restoreEnv();
  });

  const calls = () =>
    spans.filter((s) => s.kind === "generation").sort((a, b) => a.started_at.localeCompare(b.started_at));

  it("records the throttled attempt as a failed model call before the retry that answered", () => {
    const [throttled, toolTurn, finalTurn] = calls();
    expect(calls()).toHaveLength(3);
    expect(throttled.error).toMatch(/Too many requests/);
    expect(throttled.parent_id).toBe(toolTurn.parent_id);
    expect([toolTurn.error, finalTurn.error]).toEqual([null, null]);
  });

  it("records the model, tokens and finish reason of each answered call", () => {
    const [, toolTurn, finalTurn] = calls();
    expect(toolTurn.model).toMatch(/openai\.gpt-oss-120b-1:0$/);
    expect([toolTurn.input_tokens, toolTurn.output_tokens]).toEqual([120, 30]);
    expect(toolTurn.detail).toMatchObject({ finish_reason: "tool_calls", tool_calls: ["run_reporter"] });
    expect(finalTurn.detail).toMatchObject({ finish_reason: "stop", tool_calls: [] });
    const toolCall = spans.find((s) => s.kind === "function")!;
    expect(toolCall.detail).toEqual({ arguments: '{"reason":"3 positions"}', result: "reporter scheduled" });
  });

  it("prices the answered calls at gpt-oss-120b's listed price ($0.15 / $0.60 per million tokens)", () => {
    expect(traceCost(calls())).toEqual([expect.objectContaining({ usd: 0.000072 })]);
  });
});
