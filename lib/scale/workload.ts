/**
 * The simulator's and the sizing's inputs, each with where it came from. Measured figures come from
 * `npm run load` (offline analyst behind the quota-enforcing fake Bedrock; tokens ≈ characters / 4 of
 * the real prompts, tool schemas and answers); the rest is cited. Prices and limits: us-east-1.
 */

import { z } from "zod";
import { AGENT_FUNCTIONS, type AgentFunctionName, agentLambda, SPECIALISTS } from "../roster.js";
import measuredWorkload from "./measured-workload.json" with { type: "json" };

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

/**
 * What `npm run load -- --write-measurements lib/scale/measured-workload.json` measured (checked in):
 * per agent, invocations per job, model calls per invocation (the reviewer's call counts as the
 * reporter's: it runs in the reporter's function on the same model), input tokens of the Converse
 * requests the fake Bedrock received (system, messages and tool schemas, ≈ characters / 4) and output
 * tokens of the offline analyst's answers; task invocations per job; embedding calls per job.
 */
const MeasuredAgent = z.object({
  invocationsPerJob: z.number().min(0).max(1),
  callsPerInvocation: z.number().positive(),
  inputTokensPerCall: z.number().positive(),
  outputTokensPerCall: z.number().positive(),
  /** Wall seconds of an invocation outside its model calls (DB, Monte Carlo, charts, prompts), on the measuring machine. */
  overheadSeconds: z.number().min(0),
});
export const MeasuredWorkloadSchema = z.object({
  measuredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  command: z.string(),
  jobs: z.number().int().positive(),
  /** Per agent function (`lib/roster.ts`); a specialist not measured yet is estimated ({@link profilesFrom}). */
  agents: z.partialRecord(z.enum(AGENT_FUNCTIONS), MeasuredAgent),
  tasksPerJob: z.record(z.string(), z.number().min(0)),
  /** Wall seconds per invocation of each task (agents: model calls included), on the measuring machine. */
  taskSeconds: z.record(z.string(), z.number().min(0)),
  embeddingCallsPerJob: z.number().min(0),
  /** 1-minute load average at the start and end of the run: wall times on a busy machine are upper bounds. */
  loadAverage: z.tuple([z.number(), z.number()]),
});
export type MeasuredWorkload = z.infer<typeof MeasuredWorkloadSchema>;

/** The measured workload, validated at load (a hand-edited file with a missing field fails naming it). */
export const MEASURED: MeasuredWorkload = MeasuredWorkloadSchema.parse(measuredWorkload);

/** When the per-agent figures were measured. */
export const MEASURED_ON = MEASURED.measuredOn;

type MeasuredAgent = z.infer<typeof MeasuredAgent>;

/**
 * What a specialist that `npm run load` has not measured yet is assumed to take: the mean of the measured
 * specialists' figures, until `npm run load -- --write-measurements lib/scale/measured-workload.json` measures it.
 */
function unmeasuredSpecialist(measured: MeasuredWorkload, name: AgentFunctionName): MeasuredAgent {
  const known = SPECIALISTS.flatMap((n) => measured.agents[n] ?? []);
  if (!(SPECIALISTS as string[]).includes(name) || known.length === 0)
    throw new Error(
      `The measured workload has no figures for the ${name} agent: run npm run load -- --write-measurements`,
    );
  const mean = (field: keyof MeasuredAgent) => known.reduce((sum, m) => sum + m[field], 0) / known.length;
  return {
    invocationsPerJob: mean("invocationsPerJob"),
    callsPerInvocation: mean("callsPerInvocation"),
    inputTokensPerCall: mean("inputTokensPerCall"),
    outputTokensPerCall: mean("outputTokensPerCall"),
    overheadSeconds: mean("overheadSeconds"),
  };
}

/**
 * Per agent, per invocation: the measured calls and tokens, the share of jobs that ran it, and its function's work;
 * memory is its function's (`lib/roster.ts`).
 */
export function profilesFrom(measured: MeasuredWorkload): Record<AgentFunctionName, AgentProfile> {
  return Object.fromEntries(
    AGENT_FUNCTIONS.map((name) => {
      const m = measured.agents[name] ?? unmeasuredSpecialist(measured, name);
      return [
        name,
        {
          share: m.invocationsPerJob,
          callsPerInvocation: m.callsPerInvocation,
          inputTokensPerCall: Math.round(m.inputTokensPerCall),
          outputTokensPerCall: Math.round(m.outputTokensPerCall),
          overheadSeconds: m.overheadSeconds,
          memoryMB: agentLambda(name).memoryMB,
        },
      ];
    }),
  ) as Record<AgentFunctionName, AgentProfile>;
}

export const AGENT_PROFILES: Record<AgentFunctionName, AgentProfile> = profilesFrom(MEASURED);

/**
 * Sensitivity to a real model's longer answers: the offline analyst's answers are short and exact; a
 * real model writes more. The simulator reports the measured case and answers this many times longer.
 */
export const LONGER_ANSWERS_FACTOR = 3;

/** The profiles with every answer `factor` times longer (input unchanged). */
export function withLongerAnswers(
  profiles: Record<AgentFunctionName, AgentProfile>,
  factor: number,
): Record<AgentFunctionName, AgentProfile> {
  return Object.fromEntries(
    AGENT_FUNCTIONS.map((name) => [
      name,
      { ...profiles[name], outputTokensPerCall: Math.round(profiles[name].outputTokensPerCall * factor) },
    ]),
  ) as Record<AgentFunctionName, AgentProfile>;
}

/** What a load run counted, as `measurements()` reads it (tests/support/load-run.ts's report). */
export interface LoadCounts {
  jobs: number;
  measured: Partial<
    Record<
      AgentFunctionName,
      { invocations: number; calls: number; inputTokens: number; outputTokens: number; modelMs: number }
    >
  >;
  taskInvocations: Partial<Record<string, number>>;
  taskWallMs: Partial<Record<string, number>>;
  embeddingCalls: number;
  loadAverage: [number, number];
}

/** The measured workload of a load run (every agent must have run at least once). */
export function measurements(run: LoadCounts, command: string, on = new Date()): MeasuredWorkload {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const agents = Object.fromEntries(
    AGENT_FUNCTIONS.map((name) => {
      const m = run.measured[name];
      if (!m || m.invocations === 0 || m.calls === 0)
        throw new Error(`measurements: the ${name} agent never ran; run more jobs`);
      const wallMs = run.taskWallMs[name] ?? 0;
      return [
        name,
        {
          invocationsPerJob: round(m.invocations / run.jobs),
          callsPerInvocation: round(m.calls / m.invocations),
          inputTokensPerCall: Math.round(m.inputTokens / m.calls),
          outputTokensPerCall: Math.round(m.outputTokens / m.calls),
          overheadSeconds: round(Math.max(0, wallMs - m.modelMs) / m.invocations / 1000),
        },
      ];
    }),
  );
  const taskSeconds = Object.fromEntries(
    Object.entries(run.taskInvocations).map(([task, n]) => [
      task,
      round((run.taskWallMs[task] ?? 0) / (n || 1) / 1000),
    ]),
  );
  const tasksPerJob = Object.fromEntries(
    Object.entries(run.taskInvocations).map(([task, n]) => [task, Math.round(((n ?? 0) / run.jobs) * 1000) / 1000]),
  );
  return MeasuredWorkloadSchema.parse({
    measuredOn: on.toISOString().slice(0, 10),
    command,
    jobs: run.jobs,
    agents,
    tasksPerJob,
    taskSeconds,
    embeddingCallsPerJob: round(run.embeddingCalls / run.jobs),
    loadAverage: run.loadAverage.map(round),
  });
}

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

/**
 * Service times and behaviours outside the model, for the simulator. Each is an assumption unless a
 * source is given; docs/scale.md lists them.
 */
export const SERVICE_TIMES = {
  /** The price refresh (a few Polygon calls and upserts) when a job holds instruments without a fresh price. */
  refreshPrices: { seconds: 1.5, statements: 6, memoryMB: 256 },
  /** One InvokeEndpoint of all-MiniLM-L6-v2 on a warm 3 GB serverless CPU container. */
  embeddingSeconds: 0.12,
  /** A serverless endpoint instance idle this long is reclaimed; the next call waits a cold start. */
  embeddingIdleSeconds: 600,
  /** Cold start of the Hugging Face container with the model (SageMaker serverless: seconds to tens of seconds). */
  embeddingColdStartSeconds: 10,
  /** Aurora Serverless v2 at 0 ACU pauses after this long without connections (SecondsUntilAutoPause default 300). */
  auroraPauseAfterSeconds: 300,
  /** Resuming a paused cluster ("about 15 seconds", Aurora User Guide, auto-pause): the Data API driver retries meanwhile. */
  auroraResumeSeconds: 15,
  /** A Lambda execution environment idle this long is reclaimed (not published; observed order of magnitude). */
  lambdaIdleSeconds: 600,
  /** Init of a cold execution environment: the agents' bundles load the model provider lazily (scripts/bundle-sizes.ts). */
  lambdaColdStartSeconds: { agent: 0.9, bookkeeping: 0.45 },
  /** Spread of a model call's duration: lognormal with this sigma (mean 1), for tail latency. */
  modelLatencySigma: 0.5,
  /** Log bytes written per job (Lambda INFO lines of ~9 invocations, the job starter, Step Functions ERROR level). */
  logBytesPerJob: 24_000,
} as const;

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
  date: "2026-12-07",
  modelInputPerMillionTokens: 0.15,
  modelOutputPerMillionTokens: 0.6,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  stepFunctionsPerThousandTransitions: 0.025,
  auroraPerAcuHour: 0.12,
  auroraIoPerMillionRequests: 0.2,
  auroraStoragePerGbMonth: 0.1,
  dataApiPerMillionRequests: 0.35,
  sqsPerMillionRequests: 0.4,
  cloudWatchLogsIngestPerGb: 0.5,
  cloudWatchLogsStoragePerGbMonth: 0.03,
  xrayPerMillionTracesRecorded: 5,
  sageMakerServerlessPerGbSecond: 0.00002,
  s3VectorsPerMillionQueries: 2.5,
  s3VectorsStoragePerGbMonth: 0.06,
  cloudWatchAlarmPerMonth: 0.1,
  sources: {
    model:
      "https://aws.amazon.com/bedrock/pricing/ (gpt-oss-120b $0.15 / $0.60 per 1M input / output tokens; same figures in https://vercel.com/ai-gateway/models/gpt-oss-120b)",
    lambda: "https://aws.amazon.com/lambda/pricing/ (Arm, first tier)",
    stepFunctions: "https://aws.amazon.com/step-functions/pricing/ (Standard)",
    aurora:
      "https://aws.amazon.com/rds/aurora/pricing/ (Serverless v2, Aurora Standard: ACU-hour, I/O per 1M requests, storage GB-month; ~$0.12 and ~$0.10/GB-month confirmed by third-party guides 2026-05/06)",
    dataApi: "https://aws.amazon.com/rds/aurora/pricing/ (Data API, first 1B requests)",
    sqs: "https://aws.amazon.com/sqs/pricing/ (standard queue)",
    cloudWatch:
      "https://aws.amazon.com/cloudwatch/pricing/ (Logs Standard: $0.50/GB ingested, $0.03/GB-month stored, per third-party summaries dated 2026-06; alarms $0.10 each a month)",
    xray: "https://aws.amazon.com/xray/pricing/ ($5.00 per 1M traces recorded beyond the free tier; not re-confirmed 2026-12-07)",
    sageMaker:
      "https://aws.amazon.com/sagemaker/pricing/ (Serverless Inference, per GB-second of processing; $0.00002/GB-s as I last read it, NOT confirmed by search on 2026-12-07: check before relying on it)",
    s3Vectors:
      "https://aws.amazon.com/s3/pricing/ (S3 Vectors: $0.06/GB-month storage, $0.20/GB PUT, $2.50 per 1M queries, from the page's worked examples as harvested 2026-09-20)",
  },
} as const;
