import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import { loadConfig } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { type FakeReply, type FakeServer, startFakeServer } from "../support/fake-bedrock.js";
import { runJob, userWithJob } from "../support/pipeline.js";

// Every call counted: an OpenAI-compatible model server that answers in text (so the planner and the
// charter need their reminder turns, the reviewer fails) and throttles or errors on some requests
// (retried by the runner) counts what it received; the job's summary must count the same.

const text = (content: string): FakeReply => ({
  body: {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "scripted",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
  },
});
const THROTTLED: FakeReply = { status: 429, body: { error: { message: "Rate limit reached", type: "rate_limit" } } };
const BROKEN: FakeReply = { status: 500, body: { error: { message: "Internal error", type: "server_error" } } };

type Usage = { requests: number; input_tokens: number; output_tokens: number; failed_requests?: number };

describe("every model request is counted", () => {
  let db: PgliteDb;
  let server: FakeServer;
  let deps: AgentDeps;

  beforeAll(async () => {
    server = await startFakeServer((_, index) =>
      index === 1 ? THROTTLED : index === 4 ? BROKEN : text("In text only."),
    );
    db = await testDb();
    await seedDemo(db);
    const config = loadConfig({
      ALEX_MODEL: "openai-compatible:scripted",
      OPENAI_BASE_URL: `${server.url}/v1`,
      ALEX_MODEL_MAX_RETRIES: "2",
    });
    deps = await offlineDeps(db, { config, retry: { minDelayMs: 1, maxDelayMs: 2, jitter: false } });
  });
  afterAll(async () => {
    await server.close();
    await db.close();
  });

  it("summary_payload.usage.requests equals the requests the server received, failures and retries included", async () => {
    const jobId = await userWithJob(
      db,
      "counted",
      [
        [
          { symbol: "SPY", quantity: 3 },
          { symbol: "ZZZQ", quantity: 5, price: 10 },
        ],
      ],
      {
        years_until_retirement: 20,
      },
    );
    const { job } = await runJob(deps, { jobId });
    const summary = job?.summary_payload as {
      usage: Usage & { reported: Usage };
      cost: { usd: number | null };
      plan: { source: string };
    };
    const received = server.requests.length;
    expect(received).toBeGreaterThan(6);
    expect(summary.usage.requests).toBe(received);
    expect(summary.usage.failed_requests).toBeGreaterThanOrEqual(2);
    expect(summary.usage.reported.requests).toBeLessThan(received);
    const answered = received - (summary.usage.failed_requests ?? 0);
    expect(summary.usage.input_tokens).toBe(100 * answered);
    expect(summary.cost.usd).toBeNull();
  }, 120_000);
});
