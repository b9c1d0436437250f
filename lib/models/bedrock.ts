import { createAmazonBedrock } from "@ai-sdk/amazon-bedrock";
import type { Model } from "@openai/agents-core";
import { aisdk } from "@openai/agents-extensions/ai-sdk";
import { type LanguageModelMiddleware, wrapLanguageModel } from "ai";
import type { Config } from "../config.js";
import { MAX_OUTPUT_TOKENS_PER_CALL } from "../scale/limits.js";

export type ReasoningEffort = Config["bedrock"]["reasoningEffort"];

/**
 * Bedrock through the Converse API (non-streaming). The region comes from `BEDROCK_REGION` only;
 * credentials are read by the provider on each request (the Lambda role's env variables).
 * Imported by ./provider.ts only when `ALEX_MODEL` is `bedrock:<id>`.
 */
export function bedrockModel(modelId: string, bedrock: Config["bedrock"], baseURL?: string): Model {
  const provider = createAmazonBedrock({ region: bedrock.region, ...(baseURL ? { baseURL } : {}) });
  return aisdk(wrapLanguageModel({ model: provider(modelId), middleware: bedrockMiddleware(bedrock.reasoningEffort) }));
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
