import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { Model } from "@openai/agents-core";
import { aisdk } from "@openai/agents-extensions/ai-sdk";

/**
 * An OpenAI-compatible chat completions endpoint (e.g. a SageMaker or local server) at `baseURL`.
 * Imported by ./provider.ts only when `ALEX_MODEL` is `openai-compatible:<model>`.
 */
export function openAICompatibleModel(model: string, baseURL: string, apiKey: string | undefined): Model {
  const provider = createOpenAICompatible({
    name: "openai-compatible",
    baseURL,
    apiKey,
    supportsStructuredOutputs: true,
  });
  return aisdk(provider(model));
}
