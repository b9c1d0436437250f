import { Agent, ModelBehaviorError, run, setTracingDisabled } from "@openai/agents";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { loadConfig } from "../../lib/config.js";
import { OfflineModel, type OfflinePolicy, type OfflineTurn } from "../../lib/models/offline.js";
import { createModel, modelName } from "../../lib/models/provider.js";
import { PRICED_AGENT_INSTRUCTIONS, pricedAgent } from "../support/priced-agent.js";

setTracingDisabled(true);

/** Prices every symbol named in the user's text, then summarises what the tool said. */
const pricingPolicy: OfflinePolicy = ({ userText, toolResults }) => {
  if (toolResults.length === 0) {
    const symbols = userText.match(/\b[A-Z]{2,5}\b/g) ?? [];
    return { toolCalls: symbols.map((symbol) => ({ name: "lookup_price", arguments: { symbol } })) };
  }
  return { final: `[offline model] ${toolResults.map((r) => r.output).join("; ")}` };
};

describe("OfflineModel", () => {
  it("drives the real runner: tool calls are executed, then the final message ends the run", async () => {
    const seen: OfflineTurn[] = [];
    const calls: unknown[] = [];
    const model = new OfflineModel((turn) => {
      seen.push(turn);
      return pricingPolicy(turn);
    }, "analyst");

    const result = await run(pricedAgent(model, calls), "Price VTI and BND please");

    expect(calls).toEqual([{ symbol: "VTI" }, { symbol: "BND" }]);
    expect(result.finalOutput).toBe("[offline model] VTI last traded at 42.10 USD; BND last traded at 42.10 USD");
    expect(seen.map((t) => t.turn)).toEqual([1, 2]);
    expect(seen[0].tools).toEqual(["lookup_price"]);
    expect(seen[0].systemInstructions).toBe(PRICED_AGENT_INSTRUCTIONS);
    expect(seen[0].outputType).toBe("text");
    expect(seen[1].toolResults).toEqual([
      {
        callId: "offline_call_1_1",
        name: "lookup_price",
        arguments: { symbol: "VTI" },
        output: "VTI last traded at 42.10 USD",
      },
      {
        callId: "offline_call_1_2",
        name: "lookup_price",
        arguments: { symbol: "BND" },
        output: "BND last traded at 42.10 USD",
      },
    ]);
  });

  it("reports estimated, non-zero usage for every call", async () => {
    const result = await run(pricedAgent(new OfflineModel(pricingPolicy), []), "Price VTI");

    const usage = result.runContext.usage;
    expect(usage.requests).toBe(2);
    expect(usage.inputTokens).toBeGreaterThan(0);
    expect(usage.outputTokens).toBeGreaterThan(0);
    expect(usage.totalTokens).toBe(usage.inputTokens + usage.outputTokens);
  });

  it("fails loudly when a policy calls a tool the agent does not offer", async () => {
    const model = new OfflineModel(() => ({ toolCalls: [{ name: "delete_portfolio", arguments: {} }] }), "analyst");

    const error = await run(pricedAgent(model, []), "hi").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ModelBehaviorError);
    expect((error as Error).message).toBe(
      'Offline policy for analyst called tool "delete_portfolio", but the agent offers lookup_price.',
    );
  });

  it("also works when the runner streams", async () => {
    const calls: unknown[] = [];
    const stream = await run(pricedAgent(new OfflineModel(pricingPolicy), calls), "Price VTI", { stream: true });
    await stream.completed;

    expect(calls).toEqual([{ symbol: "VTI" }]);
    expect(stream.finalOutput).toBe("[offline model] VTI last traded at 42.10 USD");
  });
});

describe("structured output through the offline model", () => {
  const Allocation = z.object({
    assetClass: z.enum(["equity", "fixed_income"]),
    equityPct: z.number().min(0).max(100),
  });

  function tagger(final: string | Record<string, unknown>, schemas: unknown[] = []) {
    const model = new OfflineModel(({ outputType }) => {
      schemas.push(outputType);
      return { final };
    });
    return new Agent({ name: "tagger", instructions: "Classify.", outputType: Allocation, model });
  }

  it("gives the policy the JSON schema and the runner returns the typed, validated object", async () => {
    const schemas: unknown[] = [];

    const result = await run(tagger({ assetClass: "equity", equityPct: 100 }, schemas), "Classify VTI");

    expect(result.finalOutput).toEqual({ assetClass: "equity", equityPct: 100 });
    expect(schemas[0]).toMatchObject({
      schema: { type: "object", properties: { assetClass: { enum: ["equity", "fixed_income"] } } },
    });
  });

  it("makes run() throw ModelBehaviorError when the JSON violates the schema", async () => {
    await expect(run(tagger('{"assetClass":"crypto","equityPct":250}'), "Classify BTC")).rejects.toBeInstanceOf(
      ModelBehaviorError,
    );
  });
});

describe("createModel / modelName", () => {
  const offlinePolicy: OfflinePolicy = () => ({ final: "[offline model] hello" });

  it("hands out the offline model by default", async () => {
    const config = loadConfig({});
    const model = createModel(config, { agent: "reporter", offlinePolicy });

    const result = await run(new Agent({ name: "reporter", model }), "hi");

    expect(model).toBeInstanceOf(OfflineModel);
    expect(result.finalOutput).toBe("[offline model] hello");
  });

  it("names the model for payloads", () => {
    expect(modelName(loadConfig({}))).toBe("offline");
    expect(modelName(loadConfig({ ALEX_MODEL: "bedrock" }))).toBe("bedrock:openai.gpt-oss-120b-1:0");
    expect(modelName(loadConfig({ ALEX_MODEL: "bedrock:openai.gpt-oss-20b-1:0" }))).toBe(
      "bedrock:openai.gpt-oss-20b-1:0",
    );
    expect(
      modelName(
        loadConfig({ ALEX_MODEL: "openai-compatible:gpt-oss:20b", OPENAI_BASE_URL: "http://localhost:11434/v1" }),
      ),
    ).toBe("openai-compatible:gpt-oss:20b");
  });
});
