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
  const middleware = bedrockMiddleware(bedrock.reasoningEffort, acceptsToolChoiceAny(modelId));
  return aisdk(wrapLanguageModel({ model: provider(modelId), middleware }));
}

/**
 * Bedrock models whose Converse API takes `toolChoice: {any: {}}` (at least one tool call). AWS's
 * ToolChoice reference (API_runtime_ToolChoice, read 2026-12-07) lists `any` and `auto` for Converse and
 * `tool` for Anthropic Claude and Amazon Nova only; its gpt-oss page (model-parameters-openai) says
 * nothing of tool choice, and gpt-oss 20b/120b were reported live-tested accepting `any` and `tool`
 * (langchain-aws issue 1278, 2026-09). Other models (e.g. Meta Llama, which answers "This model doesn't
 * support the toolConfig.toolChoice.any field") get `auto` and the agents' reminder turn.
 * Cross-region inference profiles (`us.`, `eu.`, `apac.` …) count as their model.
 */
export function acceptsToolChoiceAny(modelId: string): boolean {
  return /^(?:[a-z]{2,4}\.)?(?:anthropic\.claude|mistral\.mistral-large|amazon\.nova|openai\.gpt-oss)/.test(modelId);
}

type CallOptions = Parameters<NonNullable<LanguageModelMiddleware["transformParams"]>>[0]["params"];

/**
 * Adapts Agents SDK requests to Bedrock (gpt-oss first): for a model without `acceptsAny`, a required
 * tool call (the planner's and charter's `toolChoice: "required"`) is sent as `auto` (the agents'
 * reminder turn asks again) and structured output as JSON asked for in the system prompt rather than a
 * forced `json` tool. It caps the output (Bedrock reserves input + maxTokens of
 * the token quota when a call starts, so an unset cap would reserve the model's maximum), drops the `strict` flag the SDK puts on tools
 * (not verified to be accepted by gpt-oss on Bedrock) and sets the reasoning effort, which the
 * provider sends as gpt-oss's flat `additionalModelRequestFields.reasoning_effort`.
 * An effort already set in the agent's `modelSettings.providerData.providerOptions` wins.
 */
function bedrockMiddleware(reasoningEffort: ReasoningEffort, acceptsAny = false): LanguageModelMiddleware {
  return {
    transformParams: async ({ params }) => ({
      ...params,
      ...(acceptsAny ? {} : withoutForcedToolUse(params)),
      maxOutputTokens: params.maxOutputTokens ?? MAX_OUTPUT_TOKENS_PER_CALL,
      tools: withoutStrict(params.tools),
      providerOptions: withReasoningEffort(params.providerOptions, reasoningEffort),
    }),
  };
}

/** `auto` instead of a forced tool call; a JSON schema for the answer goes into the system prompt. */
function withoutForcedToolUse(params: CallOptions): Partial<CallOptions> {
  const forced = params.toolChoice?.type === "required" || params.toolChoice?.type === "tool";
  const format = params.responseFormat;
  const schema = format?.type === "json" ? format.schema : undefined;
  return {
    ...(forced ? { toolChoice: { type: "auto" } } : {}),
    ...(format?.type === "json" && schema
      ? {
          responseFormat: { type: "json" },
          prompt: [
            {
              role: "system",
              content: `Answer with one JSON object only (no other text), matching this JSON schema: ${JSON.stringify(schema)}`,
            },
            ...params.prompt,
          ],
        }
      : {}),
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
