/**
 * The simulator's and the sizing's inputs, each with where it came from. Measured figures come from
 * `npm run load` (offline analyst behind the quota-enforcing fake Bedrock; tokens ≈ characters / 4 of
 * the real prompts, tool schemas and answers); the rest is cited. Prices and limits: us-east-1.
 */

/** The five agents (same names as `lib/agents`), each deployed as its own function. */
export type AgentName = "tagger" | "planner" | "reporter" | "charter" | "retirement";
export const AGENT_NAMES: AgentName[] = ["tagger", "planner", "reporter", "charter", "retirement"];

export interface AgentProfile {
  /** Share of jobs that run this agent. */
  share: number;
  /** Model calls per invocation (tool rounds + final answer). */
  callsPerInvocation: number;
  inputTokensPerCall: number;
  outputTokensPerCall: number;
  /** Work in the function besides the model (DB reads/writes, Monte Carlo, charts), seconds. */
  overheadSeconds: number;
  memoryMB: number;
}

/** When the per-agent figures below were measured. */
export const MEASURED_ON = "2026-12-02";

/**
 * Per agent, per invocation. Calls and tokens: measured with `npm run load -- --jobs 50` (the load mix of
 * tests/support/load-run.ts); input tokens are those of the Converse requests the fake Bedrock received
 * (system prompt, messages and tool schemas), output tokens those of the offline analyst's answers —
 * a real model's answers may be longer. Shares: the planner's rules over that mix (the tagger runs when a
 * held fund is unclassified, 1 job in 4). Overhead seconds: assumption from the local timings of the
 * bookkeeping around the model (DB reads/writes, Monte Carlo, chart rendering) on Lambda's faster CPUs.
 */
export const AGENT_PROFILES: Record<AgentName, AgentProfile> = {
  tagger: {
    share: 0.25,
    callsPerInvocation: 1,
    inputTokensPerCall: 1111,
    outputTokensPerCall: 237,
    overheadSeconds: 0.3,
    memoryMB: 512,
  },
  planner: {
    share: 1,
    callsPerInvocation: 2,
    inputTokensPerCall: 808,
    outputTokensPerCall: 76,
    overheadSeconds: 0.3,
    memoryMB: 512,
  },
  reporter: {
    share: 1,
    callsPerInvocation: 2,
    inputTokensPerCall: 1175,
    outputTokensPerCall: 447,
    overheadSeconds: 0.6,
    memoryMB: 1024,
  },
  charter: {
    share: 0.9,
    callsPerInvocation: 2,
    inputTokensPerCall: 1561,
    outputTokensPerCall: 371,
    overheadSeconds: 0.4,
    memoryMB: 512,
  },
  retirement: {
    share: 0.8,
    callsPerInvocation: 1,
    inputTokensPerCall: 1399,
    outputTokensPerCall: 508,
    overheadSeconds: 1.0,
    memoryMB: 1024,
  },
};

/** Bedrock gpt-oss-120b, on demand. */
export const MODEL_SPEED = {
  /** Seconds to the first token. */
  firstTokenSeconds: 0.3,
  outputTokensPerSecond: 167,
  /** gpt-oss reasons before it answers; with reasoning effort "low" we assume this many extra output tokens per call. */
  reasoningTokensPerCall: 200,
  source:
    "Vercel AI Gateway provider table for gpt-oss-120b, Amazon Bedrock row (0.3 s latency, 167 tokens/s), https://vercel.com/ai-gateway/models/gpt-oss-120b; reasoning tokens: assumption",
} as const;

/** Seconds one model call takes: first token, then its output (answer + reasoning) at the model's speed. */
export function modelCallSeconds(profile: Pick<AgentProfile, "outputTokensPerCall">): number {
  return (
    MODEL_SPEED.firstTokenSeconds +
    (profile.outputTokensPerCall + MODEL_SPEED.reasoningTokensPerCall) / MODEL_SPEED.outputTokensPerSecond
  );
}

/** Seconds one invocation of the agent's function takes, unthrottled. */
export function invocationSeconds(profile: AgentProfile): number {
  return profile.callsPerInvocation * modelCallSeconds(profile) + profile.overheadSeconds;
}

/** Published service limits the simulation enforces (defaults of a new account; raise through Service Quotas). */
export const PUBLISHED_LIMITS = {
  lambdaAccountConcurrency: 1000,
  /** Lambda keeps this much of the account's concurrency unreserved. */
  lambdaUnreservedMinimum: 100,
  stepFunctions: {
    startExecutionBucket: 1300,
    startExecutionPerSecond: 300,
    stateTransitionBucket: 5000,
    stateTransitionsPerSecond: 5000,
  },
  aurora: { maxAcu: 4, minAcu: 0, acuScaleUpSecondsPerDoubling: 15, dataApiStatementsPerAcuSecond: 40 },
  sources: {
    lambda:
      "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (1,000 concurrent executions per Region; 100 stay unreserved)",
    stepFunctions:
      "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (Standard, us-east-1: StartExecution bucket 1,300 refill 300/s; StateTransition bucket 5,000 refill 5,000/s)",
    aurora:
      "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.how-it-works.html (ACUs scale in fine steps within seconds); 4 ACU is this stack's own max (stacks/database.ts); statements per ACU-second: assumption for short indexed queries",
  },
} as const;

/** Unit prices (USD, us-east-1, on-demand) and the day they were read. */
export const UNIT_PRICES = {
  date: "2026-12-02",
  modelInputPerMillionTokens: 0.15,
  modelOutputPerMillionTokens: 0.6,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  stepFunctionsPerThousandTransitions: 0.025,
  auroraPerAcuHour: 0.12,
  dataApiPerMillionRequests: 0.35,
  sqsPerMillionRequests: 0.4,
  pipesPerMillionRequests: 0.4,
  sources: {
    model:
      "https://aws.amazon.com/bedrock/pricing/ (gpt-oss-120b $0.15 / $0.60 per 1M input / output tokens; same figures in https://vercel.com/ai-gateway/models/gpt-oss-120b)",
    lambda: "https://aws.amazon.com/lambda/pricing/ (Arm, first tier)",
    stepFunctions: "https://aws.amazon.com/step-functions/pricing/ (Standard)",
    aurora: "https://aws.amazon.com/rds/aurora/pricing/ (Serverless v2, Aurora Standard)",
    dataApi: "https://aws.amazon.com/rds/aurora/pricing/ (Data API, first 1B requests)",
    sqs: "https://aws.amazon.com/sqs/pricing/ (standard queue)",
    pipes: "https://aws.amazon.com/eventbridge/pricing/ (Pipes)",
  },
} as const;
