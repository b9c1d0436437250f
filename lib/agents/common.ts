import { type Model, setTracingDisabled, type Usage } from "@openai/agents";
import type { Config } from "../config.js";
import type { Db } from "../db/driver.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import type { OfflinePolicy } from "../models/offline.js";
import { createModel, modelName } from "../models/provider.js";
import type { AgentName, TokenUsage } from "./shared.js";

export * from "./shared.js";

// Runs are observed through Powertools logs and token usage; nothing is exported to OpenAI's tracing service.
setTracingDisabled(true);

/** What every agent needs from its surroundings: injected, so Lambda and the local run differ only here. */
export interface AgentDeps {
  db: Db;
  config: Config;
  knowledge?: KnowledgeBase;
  /**
   * Replaces the configured model for an agent (tests drive agents with the SDK's ScriptedModel; the
   * load test wraps the agent's offline policy behind a quota-enforcing fake Bedrock).
   */
  modelFor?: (agent: AgentName, offlinePolicy: OfflinePolicy) => Model | undefined;
}

/** The model an agent runs on: the configured one (offline: driven by the agent's policy) unless overridden. */
export function agentModel(deps: AgentDeps, agent: AgentName, jobId: string, offlinePolicy: OfflinePolicy): Model {
  return deps.modelFor?.(agent, offlinePolicy) ?? createModel(deps.config, { agent, jobId, offlinePolicy });
}

export function usageOf(result: { runContext: { usage: Usage } }): TokenUsage {
  const usage = result.runContext.usage;
  return { requests: usage.requests, input_tokens: usage.inputTokens, output_tokens: usage.outputTokens };
}

/** The fields every stored payload carries. */
export function payloadMeta(agent: AgentName, config: Config) {
  return { generated_at: new Date().toISOString(), agent, model: modelName(config) };
}

