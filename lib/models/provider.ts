import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { Model } from "@openai/agents";
import { aisdk } from "@openai/agents-extensions/ai-sdk";
import { type LanguageModelMiddleware, wrapLanguageModel } from "ai";
import type { Config } from "../config.js";
import { MAX_OUTPUT_TOKENS_PER_CALL } from "../scale/limits.js";
import { OfflineModel, type OfflinePolicy } from "./offline.js";

/** The parts of the configuration that choose and configure the model. */
export type ModelConfig = Pick<Config, "model" | "bedrock" | "openai" | "modelMaxRetries">;

export type ReasoningEffort = Config["bedrock"]["reasoningEffort"];

export interface CreateModelOptions {
  /** Agent name, for logs and error messages. */
  agent: string;
  jobId?: string;
  /** How this agent behaves when `ALEX_MODEL=offline`. */
  offlinePolicy: OfflinePolicy;
  /** Tests only: where the Bedrock Converse API lives (production uses AWS's endpoint for the region). */
  bedrockBaseURL?: string;
}

/**
 * The one place that hands every agent its model, chosen by `ALEX_MODEL`:
 * `offline` → {@link OfflineModel}; `bedrock:<id>` and `openai-compatible:<model>` → `aisdk()`
 * over the AI SDK provider. Throttling is retried by the runner (`modelRetrySettings` in ./retry.ts).
 */
export function createModel(config: ModelConfig, options: CreateModelOptions): Model {
  const choice = config.model;
  switch (choice.provider) {
    case "offline":
      return new OfflineModel(options.offlinePolicy, options.agent);
    case "bedrock":
      return bedrockModel(choice.modelId, config.bedrock, options.bedrockBaseURL);
    case "openai-compatible":
      return openAICompatibleModel(choice.model, config.openai);
  }
}

/** Also here for callers that build models. */
export { modelName } from "../config.js";

/**
 * Bedrock through the Converse API (non-streaming). The region comes from `BEDROCK_REGION` only;
 * credentials are read by the provider on each request (the Lambda role's env variables).
 */
function bedrockModel(modelId: string, bedrock: Config["bedrock"], baseURL?: string): Model {
  const provider = createAmazonBedrock({ region: bedrock.region, ...(baseURL ? { baseURL } : {}) });
  return aisdk(wrapLanguageModel({ model: provider(modelId), middleware: bedrockMiddleware(bedrock.reasoningEffort) }));
}

function openAICompatibleModel(model: string, openai: Config["openai"]): Model {
  if (!openai.baseURL) throw new Error("OPENAI_BASE_URL: required when ALEX_MODEL is openai-compatible:<model>");
  const provider = createOpenAICompatible({
    name: "openai-compatible",
    baseURL: openai.baseURL,
    apiKey: openai.apiKey,
    supportsStructuredOutputs: true,
  });
  return aisdk(provider(model));
}

type CallOptions = Parameters<NonNullable<LanguageModelMiddleware["transformParams"]>>[0]["params"];

/**
 * Adapts Agents SDK requests to Bedrock gpt-oss: caps the output (Bedrock reserves input + maxTokens of
 * the token quota when a call starts, so an unset cap would reserve the model's maximum), drops the `strict` flag the SDK puts on tools
 * (not verified to be accepted by gpt-oss on Bedrock) and sets the reasoning effort, which the
 * provider sends as gpt-oss's flat `additionalModelRequestFields.reasoning_effort`.
 * An effort already set in the agent's `modelSettings.providerData.providerOptions` wins.
 */
export function bedrockMiddleware(reasoningEffort: ReasoningEffort): LanguageModelMiddleware {
  return {
    transformParams: async ({ params }) => ({
      ...params,
      maxOutputTokens: params.maxOutputTokens ?? MAX_OUTPUT_TOKENS_PER_CALL,
      tools: withoutStrict(params.tools),
      providerOptions: withReasoningEffort(params.providerOptions, reasoningEffort),
    }),
  };
}

function withoutStrict(tools: CallOptions["tools"]): CallOptions["tools"] {
  return tools?.map((tool) => {
    if (tool.type !== "function") return tool;
    const { strict: _strict, ...rest } = tool;
    return rest;
  });
}

/** The provider reads `amazonBedrock` options if present, else `bedrock`: add the effort to the one it reads. */
function withReasoningEffort(
  providerOptions: CallOptions["providerOptions"],
  effort: ReasoningEffort,
): CallOptions["providerOptions"] {
  const key = providerOptions?.amazonBedrock ? "amazonBedrock" : "bedrock";
  const current = providerOptions?.[key] ?? {};
  const reasoningConfig = (current.reasoningConfig ?? {}) as Record<string, unknown>;
  return {
    ...providerOptions,
    [key]: { ...current, reasoningConfig: { maxReasoningEffort: effort, ...reasoningConfig } },
  } as CallOptions["providerOptions"];
}
