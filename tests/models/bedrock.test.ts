import { Agent, type Model, setTracingDisabled, tool } from "@openai/agents";
import { APICallError } from "ai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type RunDeps, runAgent } from "../../lib/agents/common.js";
import { loadConfig } from "../../lib/config.js";
import { acceptsToolChoiceAny } from "../../lib/models/bedrock.js";
import { createModel } from "../../lib/models/provider.js";
import { ThrottledError } from "../../lib/models/retry.js";
import {
  converse,
  credentialScope,
  type FakeReply,
  type FakeServer,
  type Responder,
  startFakeServer,
  useFakeAwsCredentials,
} from "../support/fake-bedrock.js";
import { pricedAgent } from "../support/priced-agent.js";

setTracingDisabled(true);

const MODEL_ID = "openai.gpt-oss-120b-1:0";
const BEDROCK_REGION = "eu-central-1";

const config = loadConfig({
  ALEX_MODEL: `bedrock:${MODEL_ID}`,
  BEDROCK_REGION,
  BEDROCK_REASONING_EFFORT: "medium",
  ALEX_MODEL_MAX_RETRIES: "2",
});

let server: FakeServer | undefined;
let restoreEnv: () => void;
let warnings: Record<string, unknown>[];

beforeEach(() => {
  restoreEnv = useFakeAwsCredentials("ap-south-1");
  warnings = [];
});

afterEach(async () => {
  await server?.close();
  server = undefined;
  restoreEnv();
});

async function bedrockModelAnswering(script: FakeReply[] | Responder) {
  server = await startFakeServer(script);
  return createModel(config, {
    agent: "reporter",
    jobId: "job-7",
    offlinePolicy: () => ({ final: "unused" }),
    bedrockBaseURL: server.url,
  });
}

/** Runs an agent the way the project does: through the one Runner, with the SDK's model retry settings. */
function run(agent: Agent<any, any>, input: string) {
  const model: Model | undefined = typeof agent.model === "string" ? undefined : agent.model;
  const deps: RunDeps = {
    config,
    modelFor: () => model,
    retry: {
      minDelayMs: 1,
      maxDelayMs: 5,
      log: { warn: (_message: string, ...extra: Record<string, unknown>[]) => warnings.push(...extra) },
    },
  };
  return runAgent(deps, agent, input, {
    name: "reporter",
    jobId: "job-7",
    offlinePolicy: () => ({ final: "unused" }),
    maxTurns: 10,
  });
}

describe("Bedrock provider against a fake Converse server", () => {
  it("runs a tool-call round trip through SigV4-signed Converse requests", async () => {
    const model = await bedrockModelAnswering([
      converse.toolUse("lookup_price", { symbol: "VTI" }),
      converse.text("VTI trades at 42.10 USD."),
    ]);
    const calls: unknown[] = [];

    const result = await run(pricedAgent(model, calls), "What does VTI cost?");

    expect(result.finalOutput).toBe("VTI trades at 42.10 USD.");
    expect(calls).toEqual([{ symbol: "VTI" }]);
    const [first, second] = server!.requests;
    expect(server!.requests).toHaveLength(2);
    expect(first.method).toBe("POST");
    expect(first.path).toBe(`/model/${encodeURIComponent(MODEL_ID)}/converse`);
    expect(first.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKEFAKEFAKEFAKE\//);
    expect(credentialScope(first.headers.authorization)).toMatch(
      new RegExp(`/${BEDROCK_REGION}/bedrock/aws4_request$`),
    );
    const toolSpec = first.body.toolConfig.tools[0].toolSpec;
    expect(toolSpec.name).toBe("lookup_price");
    expect(toolSpec).not.toHaveProperty("strict");
    expect(first.body.additionalModelRequestFields).toEqual({ reasoning_effort: "medium" });
    const toolResult = second.body.messages
      .flatMap((m: { content: object[] }) => m.content)
      .find((c: object) => "toolResult" in c);
    expect(toolResult.toolResult.toolUseId).toBe("tooluse_1");
    expect(JSON.stringify(toolResult.toolResult.content)).toContain("42.10 USD");
  });

  it("lets an agent's own reasoning effort win over the configured one", async () => {
    const model = await bedrockModelAnswering([converse.text("ok")]);
    const agent = new Agent({
      name: "analyst",
      model,
      modelSettings: {
        providerData: { providerOptions: { bedrock: { reasoningConfig: { maxReasoningEffort: "high" } } } },
      },
    });

    await run(agent, "hi");

    expect(server!.requests[0].body.additionalModelRequestFields).toEqual({ reasoning_effort: "high" });
  });

  it("returns typed structured output through the provider's synthetic json tool", async () => {
    const Allocation = z.object({
      assetClass: z.enum(["equity", "fixed_income"]),
      equityPct: z.number().min(0).max(100),
    });
    const model = await bedrockModelAnswering([converse.toolUse("json", { assetClass: "equity", equityPct: 100 })]);
    const agent = new Agent({ name: "tagger", instructions: "Classify.", outputType: Allocation, model });

    const result = await run(agent, "Classify VTI");

    expect(result.finalOutput).toEqual({ assetClass: "equity", equityPct: 100 });
    const body = server!.requests[0].body;
    expect(body.toolConfig.tools.map((t: { toolSpec: { name: string } }) => t.toolSpec.name)).toEqual(["json"]);
    expect(body.toolConfig.toolChoice).toEqual({ any: {} });
  });
});

describe("tool choice: `any` only where Bedrock takes it", () => {
  const llama = loadConfig({ ALEX_MODEL: "bedrock:meta.llama3-1-70b-instruct-v1:0", BEDROCK_REGION });
  const Allocation = z.object({ assetClass: z.enum(["equity", "fixed_income"]) });
  const lookup = tool({
    name: "lookup_price",
    description: "Look up a price.",
    parameters: z.object({ symbol: z.string() }),
    execute: async () => "101.5",
  });

  async function modelFor(choice: typeof config, script: FakeReply[]) {
    server = await startFakeServer(script);
    return createModel(choice, {
      agent: "planner",
      offlinePolicy: () => ({ final: "unused" }),
      bedrockBaseURL: server.url,
    });
  }

  it("knows which models take any: gpt-oss, Claude, Nova, Mistral Large (also as inference profiles), not Llama", () => {
    for (const id of ["openai.gpt-oss-120b-1:0", "us.anthropic.claude-3-5-haiku-20241022-v1:0", "amazon.nova-pro-v1:0"])
      expect(acceptsToolChoiceAny(id)).toBe(true);
    for (const id of ["meta.llama3-1-70b-instruct-v1:0", "us.meta.llama3-2-90b-instruct-v1:0", "cohere.command-r-v1:0"])
      expect(acceptsToolChoiceAny(id)).toBe(false);
  });

  it("gpt-oss: a required tool call is sent as toolChoice any", async () => {
    const model = await modelFor(config, [converse.toolUse("lookup_price", { symbol: "VTI" }), converse.text("done")]);
    await run(new Agent({ name: "p", tools: [lookup], model, modelSettings: { toolChoice: "required" } }), "price?");
    expect(server!.requests[0].body.toolConfig.toolChoice).toEqual({ any: {} });
  });

  it("a model without any: a required tool call is sent as auto, structured output asked for in the system prompt", async () => {
    const model = await modelFor(llama, [converse.toolUse("lookup_price", { symbol: "VTI" }), converse.text("done")]);
    await run(new Agent({ name: "p", tools: [lookup], model, modelSettings: { toolChoice: "required" } }), "price?");
    expect(server!.requests[0].body.toolConfig.toolChoice).toEqual({ auto: {} });

    await server!.close();
    const structured = await modelFor(llama, [converse.text('{"assetClass":"equity"}')]);
    const result = await run(new Agent({ name: "t", outputType: Allocation, model: structured }), "Classify VTI");
    expect(result.finalOutput).toEqual({ assetClass: "equity" });
    const body = server!.requests[0].body;
    expect(body.toolConfig).toBeUndefined();
    expect(JSON.stringify(body.system)).toContain("matching this JSON schema");
    expect(JSON.stringify(body.system)).toContain("fixed_income");
  });
});

describe("throttling", () => {
  it("retries a throttled model call and then succeeds", async () => {
    const model = await bedrockModelAnswering([converse.throttled(), converse.throttled(), converse.text("done")]);

    const result = await run(new Agent({ name: "analyst", model }), "hi");

    expect(result.finalOutput).toBe("done");
    expect(server!.requests).toHaveLength(3);
    expect(server!.requests[2].body).toEqual(server!.requests[0].body);
    expect(warnings).toEqual([
      expect.objectContaining({ agent: "reporter", jobId: "job-7", attempt: 1, statusCode: 429 }),
      expect.objectContaining({ agent: "reporter", jobId: "job-7", attempt: 2, statusCode: 429 }),
    ]);
  });

  it("retries only the model call, never the tools that already ran", async () => {
    const model = await bedrockModelAnswering([
      converse.toolUse("lookup_price", { symbol: "BND" }),
      converse.throttled(),
      converse.throttled(),
      converse.text("BND trades at 42.10 USD."),
    ]);
    const calls: unknown[] = [];

    const result = await run(pricedAgent(model, calls), "What does BND cost?");

    expect(result.finalOutput).toBe("BND trades at 42.10 USD.");
    expect(calls).toEqual([{ symbol: "BND" }]);
    expect(server!.requests).toHaveLength(4);
  });

  it("throws ThrottledError after maxRetries + 1 attempts when the throttling never stops", async () => {
    const model = await bedrockModelAnswering(() => converse.throttled());

    const error = await run(new Agent({ name: "analyst", model }), "hi").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).name).toBe("ThrottledError");
    expect((error as ThrottledError).attempts).toBe(3);
    const cause = (error as ThrottledError).cause;
    expect(APICallError.isInstance(cause) && cause.statusCode).toBe(429);
    expect(server!.requests).toHaveLength(config.modelMaxRetries + 1);
  });

  it("does not retry a validation error and passes it through unchanged", async () => {
    const model = await bedrockModelAnswering(() => converse.validationError("tool schema is invalid"));

    const error = await run(new Agent({ name: "analyst", model }), "hi").catch((e: unknown) => e);

    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).statusCode).toBe(400);
    expect((error as APICallError).message).toContain("tool schema is invalid");
    expect(server!.requests).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});
