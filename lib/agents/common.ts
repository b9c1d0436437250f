import {
  type Agent,
  type AgentInputItem,
  MaxTurnsExceededError,
  type Model,
  ModelBehaviorError,
  type ModelSettings,
  Runner,
  type RunResult,
  type Usage,
} from "@openai/agents-core";
import type { Config } from "../config.js";
import type { Db } from "../db/driver.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { agentLogger } from "../logger.js";
import type { OfflinePolicy } from "../models/offline.js";
import { createModel, modelName } from "../models/provider.js";
import { type ModelRetryOptions, modelRetrySettings, throttledAfterRetries } from "../models/retry.js";
import { enableLocalTracing } from "../tracing/job-trace.js";
import type { AgentName, TokenUsage } from "./shared.js";
import type { Team } from "./specialists.js";

export * from "./shared.js";

// Agent runs are traced into the job (lib/tracing); nothing is exported to OpenAI's tracing service.
enableLocalTracing();

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
  /** The specialists the planner may choose and Finalize job accepts: the registry's (`TEAM`) unless a test adds one. */
  team?: Team;
  /** Tests only: faster retry backoff, captured retry warnings. */
  retry?: Partial<Pick<ModelRetryOptions, "minDelayMs" | "maxDelayMs" | "jitter" | "log">>;
}

/** What running an agent needs: the model's configuration and the test seams. */
export type RunDeps = Pick<AgentDeps, "config" | "modelFor" | "retry">;

/** How one agent run is made: who runs, for which job, its offline behaviour and its limits. */
export interface AgentRun<TContext> {
  name: AgentName;
  jobId: string;
  /** How the agent behaves when `ALEX_MODEL=offline`. */
  offlinePolicy: OfflinePolicy;
  context?: TContext;
  maxTurns: number;
  /** Settings for this run only (e.g. `toolChoice: "required"` on a second attempt). */
  modelSettings?: ModelSettings;
  /** Cancels the run, including a retry's backoff. */
  signal?: AbortSignal;
}

/**
 * The one place a Runner is created: the model (configured, offline policy, or a test's) and the
 * model retry settings are passed through the runner, so agents are declared once as module constants.
 */
export function agentRunner(
  deps: RunDeps,
  run: Pick<AgentRun<unknown>, "name" | "jobId" | "offlinePolicy" | "modelSettings">,
): Runner {
  const model =
    deps.modelFor?.(run.name, run.offlinePolicy) ??
    createModel(deps.config, { agent: run.name, jobId: run.jobId, offlinePolicy: run.offlinePolicy });
  const retry = modelRetrySettings({
    maxRetries: deps.config.modelMaxRetries,
    agent: run.name,
    jobId: run.jobId,
    log: agentLogger(run.name, run.jobId),
    ...deps.retry,
  });
  return new Runner({
    model,
    modelSettings: { ...run.modelSettings, retry },
    workflowName: `alex ${run.name}`,
    groupId: run.jobId,
  });
}

/** Runs an agent; a model that stayed throttled through the runner's retries ends as ThrottledError. */
export async function runAgent<TAgent extends Agent<any, any>, TContext = undefined>(
  deps: RunDeps,
  agent: TAgent,
  input: string | AgentInputItem[],
  run: AgentRun<TContext>,
): Promise<RunResult<TContext, TAgent>> {
  try {
    return await agentRunner(deps, run).run(agent, input, {
      context: run.context,
      maxTurns: run.maxTurns,
      signal: run.signal,
    });
  } catch (error) {
    throw throttledAfterRetries(error, run.name, deps.config.modelMaxRetries);
  }
}

/**
 * A follow-up turn (the guard's "ask once more") that cannot undo the first: a model that misbehaves
 * again (bad output, too many turns) is logged and yields undefined, so the caller's fallback applies.
 */
export async function runFollowUp<TAgent extends Agent<any, any>, TContext>(
  deps: RunDeps,
  agent: TAgent,
  input: AgentInputItem[],
  run: AgentRun<TContext>,
): Promise<RunResult<TContext, TAgent> | undefined> {
  try {
    return await runAgent(deps, agent, input, run);
  } catch (error) {
    if (!(error instanceof ModelBehaviorError || error instanceof MaxTurnsExceededError)) throw error;
    agentLogger(run.name, run.jobId).warn("follow-up turn failed; keeping the first turn's result", {
      error: error.message,
    });
    return undefined;
  }
}

export function usageOf(result: { runContext: { usage: Usage } }): TokenUsage {
  const usage = result.runContext.usage;
  return { requests: usage.requests, input_tokens: usage.inputTokens, output_tokens: usage.outputTokens };
}

/** The fields every stored payload carries. */
export function payloadMeta(agent: AgentName, config: Config) {
  return { generated_at: new Date().toISOString(), agent, model: modelName(config) };
}
