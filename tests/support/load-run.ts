import { loadavg } from "node:os";
import type { Model, ModelRequest, ModelResponse, StreamEvent } from "@openai/agents";
import type { AgentDeps, AgentName as RunAgentName } from "../../lib/agents/common.js";
import { loadConfig } from "../../lib/config.js";
import type { Db } from "../../lib/db/driver.js";
import { getJob } from "../../lib/db/repositories/jobs.js";
import { OfflineModel, type OfflinePolicy } from "../../lib/models/offline.js";
import { createModel } from "../../lib/models/provider.js";
import {
  admitJobs,
  type ExecutionStarter,
  JOB_STARTER_BATCH_SIZE,
  JOB_STARTER_MAX_CONCURRENCY,
  type JobMessage,
} from "../../lib/pipeline/admission.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import type { TaskName } from "../../lib/pipeline/tasks.js";
import type { AgentFunctionName as AgentName } from "../../lib/roster.js";
import {
  CAPACITY_RETRY,
  capacityRetryTotalSeconds,
  DEFAULT_MODEL_QUOTA,
  type ModelQuota,
  type ScaleLimits,
  scaleLimits,
} from "../../lib/scale/limits.js";
import { AGENT_PROFILES, MODEL_SPEED, modelCallSeconds } from "../../lib/scale/workload.js";
import { executeLocally, TASK_FUNCTIONS } from "../../state-machine/local-executor.js";
import { useFakeAwsCredentials } from "./fake-bedrock.js";
import { userWithJob } from "./pipeline.js";
import { type AgentTraffic, startQuotaBedrock } from "./quota-bedrock.js";

export interface LoadOptions {
  db: Db;
  /** Offline dependencies (config, knowledge base) the jobs share. */
  deps: AgentDeps;
  jobs: number;
  /** What the fake Bedrock enforces. Default: the quota the stack is sized for. */
  quota?: ModelQuota;
  /** What the stack deploys. Default: `scaleLimits()` of the default quota. */
  limits?: ScaleLimits;
  /**
   * Reserved concurrency per agent function, as `ALEX_RESERVED_CONCURRENCY=quota` deploys it. Default:
   * none, as the stack deploys by default.
   */
  reserved?: Partial<Record<AgentName, number>>;
  /**
   * Admission control (lib/pipeline/admission.ts): jobs wait in the queue until the job starter admits
   * them, at most `limits.maxRunningJobs` running. Default on; off starts every job at once (as the Pipe did).
   */
  admission?: boolean;
  /** One quota minute lasts 60,000 / timeScale ms; model latency and retry waits shrink alike. */
  timeScale?: number;
  /** Prefix for user ids (several runs can share a database). */
  runId?: string;
}

interface Percentiles {
  p50: number;
  p95: number;
  max: number;
}

export interface LoadReport {
  jobs: number;
  statuses: Record<string, number>;
  /** Why jobs failed, with counts. */
  failures: Record<string, number>;
  timeScale: number;
  quota: ModelQuota;
  reservedConcurrency: Partial<Record<AgentName, number>>;
  /** Running executions admission control allowed (undefined: no admission control). */
  maxRunningJobs?: number;
  /** Peak executions running at once. */
  peakRunningJobs: number;
  /** Queued to execution started, wall ms. */
  queuedToStartMs: Percentiles;
  /** Times a job message was handed back to the queue by the starter, over all jobs. */
  deferrals: number;
  wallMs: number;
  /** Jobs per quota minute (wall time × timeScale). */
  jobsPerQuotaMinute: number;
  /** Queued (all at once) to done, wall ms. */
  queuedToDoneMs: Percentiles;
  model: AgentTraffic;
  /** Model calls retried inside a function (p-retry on 429), per job. */
  modelRetriesPerJob: Percentiles & { mean: number };
  /** Step Functions Retry attempts (reserved concurrency full, or the model still throttling), per job. */
  stateRetriesPerJob: Percentiles & { mean: number };
  /** Invocations Lambda refused because a function's reserved concurrency was in use. */
  lambdaThrottles: number;
  /** Peak invocations in flight per agent function. */
  peakConcurrency: Partial<Record<TaskName, number>>;
  /** Invocations per task function, over all jobs. */
  taskInvocations: Partial<Record<TaskName, number>>;
  /** Texts the knowledge base embedded (one endpoint call each on AWS), over all jobs. */
  embeddingCalls: number;
  /**
   * Per agent: invocations; model calls; input tokens per the Converse requests the fake Bedrock received
   * (system, messages and tool schemas, ≈ characters / 4); output tokens of the offline analyst's answers.
   */
  measured: Partial<
    Record<
      AgentName,
      { invocations: number; calls: number; inputTokens: number; outputTokens: number; modelMs: number }
    >
  >;
  /** Wall ms of the successful invocations per task function, over all jobs (model calls included). */
  taskWallMs: Partial<Record<TaskName, number>>;
  /** The machine's 1-minute load average when the run started and ended (the wall times depend on it). */
  loadAverage: [number, number];
}

const AGENTS = Object.keys(AGENT_PROFILES) as AgentName[];
const NAMES = [
  "Acme Emerging Markets Equity ETF",
  "Northwind Short Treasury Bond Fund",
  "Contoso Global REIT Index",
  "Fabrikam Gold Trust",
];

/** The load mix: one job in four holds an unclassified fund (tagger), one in ten a single position, four in five set retirement goals. */
async function createJobs(db: Db, count: number, runId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const holdings =
      i % 10 === 0
        ? [{ symbol: "SPY", quantity: 10 + i }]
        : [
            { symbol: "SPY", quantity: 10 + i },
            { symbol: "BND", quantity: 5 },
            { symbol: "GLD", quantity: 2 },
          ];
    if (i % 4 === 0)
      holdings.push({
        symbol: `N${runId.slice(0, 3).toUpperCase()}${i}`,
        quantity: 3,
        name: NAMES[(i / 4) % NAMES.length],
        price: 25,
      } as never);
    const goals = i % 5 === 0 ? {} : { years_until_retirement: 10 + (i % 30), target_retirement_income: 60_000 };
    ids.push(await userWithJob(db, `${runId}-user-${i}`, [holdings], goals));
  }
  return ids;
}

/**
 * The agent's model for the load test: each call first goes, through the real Bedrock provider and its
 * retry on throttling, to the quota-enforcing fake; what the agent hears back is its offline policy's answer.
 * The quota decides *when* a call may proceed; the offline analyst decides *what* it says.
 */
class QuotaGatedModel implements Model {
  constructor(
    private readonly bedrock: Model,
    private readonly offline: OfflineModel,
    private readonly onAnswer: (response: ModelResponse, elapsedMs: number) => void,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const started = performance.now();
    await this.bedrock.getResponse(request);
    const response = await this.offline.getResponse(request);
    this.onAnswer(response, performance.now() - started);
    return response;
  }

  getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    return this.offline.getStreamedResponse(request);
  }
}

const percentiles = (values: number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 };
};
const withMean = (values: number[]) => ({
  ...percentiles(values),
  mean: values.reduce((a, b) => a + b, 0) / Math.max(1, values.length),
});

const isProfiled = (name: RunAgentName): name is AgentName => name in AGENT_PROFILES;

/** Counts the texts the jobs' knowledge base embeds (each is one InvokeEndpoint on AWS). */
function countEmbeddings(deps: AgentDeps) {
  const counter = { count: 0, restore: () => {} };
  const embedder = deps.knowledge?.embedder;
  if (!embedder) return counter;
  const embed = embedder.embed;
  embedder.embed = async (texts: string[]) => {
    counter.count += texts.length;
    return embed.call(embedder, texts);
  };
  counter.restore = () => {
    embedder.embed = embed;
  };
  return counter;
}

/** A Lambda function's reserved concurrency, locally: invocations beyond it are refused as Lambda refuses them. */
function reservedConcurrencyLimiter(limits: Partial<Record<TaskName, number>>) {
  const inFlight: Partial<Record<TaskName, number>> = {};
  const peak: Partial<Record<TaskName, number>> = {};
  const invocations: Partial<Record<TaskName, number>> = {};
  const wallMs: Partial<Record<TaskName, number>> = {};
  let refused = 0;
  const wrap =
    (task: TaskName, fn: TaskFunction<unknown>): TaskFunction<unknown> =>
    async (event, deps) => {
      const limit = limits[task];
      const now = inFlight[task] ?? 0;
      if (limit !== undefined && now >= limit) {
        refused += 1;
        throw Object.assign(new Error("Rate Exceeded."), { name: "Lambda.TooManyRequestsException" });
      }
      inFlight[task] = now + 1;
      peak[task] = Math.max(peak[task] ?? 0, now + 1);
      const started = performance.now();
      try {
        const result = await fn(event, deps);
        invocations[task] = (invocations[task] ?? 0) + 1;
        wallMs[task] = (wallMs[task] ?? 0) + performance.now() - started;
        return result;
      } finally {
        inFlight[task] = (inFlight[task] ?? 1) - 1;
      }
    };
  const taskFunctions = Object.fromEntries(
    (Object.keys(TASK_FUNCTIONS) as TaskName[]).map((task) => [task, wrap(task, TASK_FUNCTIONS[task])]),
  ) as Record<TaskName, TaskFunction<unknown>>;
  return { taskFunctions, peak, invocations, wallMs, refused: () => refused };
}

/**
 * Mean wait of the capacity Retry per attempt over all its attempts, ms. aws-local-stepfunctions takes
 * one fixed interval per retrier, so the load test waits this mean each time; the attempts then add up
 * to the same total as on AWS (no jitter), which outlasts MAX_JOB_SECONDS.
 */
function meanCapacityWaitMs(): number {
  return (capacityRetryTotalSeconds() / CAPACITY_RETRY.maxAttempts) * 1000;
}

/**
 * The jobs queue and the job starter, locally: every job is a message, visible at once; two workers
 * (the event source's maximum concurrency) each take up to a batch of visible messages and hand it to
 * the real `admitJobs`, which starts what the running budget allows and defers the rest
 * (ADMISSION_RETRY_SECONDS of quota time). Started jobs run unawaited, as executions do.
 */
async function runThroughLocalQueue<R>(
  messageIds: string[],
  maxRunningJobs: number,
  timeScale: number,
  run: (id: string) => Promise<R>,
): Promise<{ results: R[]; peakRunning: number; deferrals: number }> {
  const visibleAt = new Map(messageIds.map((id) => [id, 0]));
  const results = new Map<string, R>();
  const executions: Promise<void>[] = [];
  let running = 0;
  let peakRunning = 0;
  let deferrals = 0;
  const starter: ExecutionStarter<JobMessage> = {
    running: async () => running,
    start: async ({ messageId }) => {
      visibleAt.delete(messageId);
      running += 1;
      peakRunning = Math.max(peakRunning, running);
      executions.push(
        run(messageId)
          .then((result) => void results.set(messageId, result))
          .finally(() => {
            running -= 1;
          }),
      );
    },
    defer: async ({ messageId }, seconds) => {
      deferrals += 1;
      visibleAt.set(messageId, performance.now() + (seconds * 1000) / timeScale);
    },
  };
  const worker = async () => {
    while (visibleAt.size > 0) {
      const now = performance.now();
      const batch = [...visibleAt].filter(([, at]) => at <= now).slice(0, JOB_STARTER_BATCH_SIZE);
      if (batch.length === 0) {
        await new Promise((done) => setTimeout(done, 20));
        continue;
      }
      for (const [id] of batch) visibleAt.set(id, Number.POSITIVE_INFINITY);
      await admitJobs(
        batch.map(([messageId]) => ({ messageId })),
        starter,
        maxRunningJobs,
      );
    }
  };
  await Promise.all(Array.from({ length: JOB_STARTER_MAX_CONCURRENCY }, worker));
  await Promise.all(executions);
  return { results: messageIds.map((id) => results.get(id) as R), peakRunning, deferrals };
}

/**
 * Queues `jobs` jobs at once and runs each through the real definition (aws-local-stepfunctions) as
 * the job starter admits it, with any reserved concurrency enforced per agent function and every model
 * call metered by the quota-enforcing fake Bedrock. Time is compressed by `timeScale`.
 */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const timeScale = options.timeScale ?? 60;
  const quota = options.quota ?? DEFAULT_MODEL_QUOTA;
  const limits = options.limits ?? scaleLimits(quota);
  const runId = options.runId ?? "load";
  const restoreEnv = useFakeAwsCredentials();
  const bedrock = await startQuotaBedrock({
    ...quota,
    timeScale,
    reply: (agent) => {
      const profile = AGENT_PROFILES[agent as AgentName];
      return {
        outputTokens: profile.outputTokensPerCall + MODEL_SPEED.reasoningTokensPerCall,
        seconds: modelCallSeconds(profile),
      };
    },
  });
  const bedrockConfig = loadConfig({ ALEX_MODEL: "bedrock:openai.gpt-oss-120b-1:0", BEDROCK_REGION: "us-west-2" });
  const reserved = options.reserved ?? {};
  const loadAtStart = loadavg()[0];
  const embeddings = countEmbeddings(options.deps);
  const admission = options.admission ?? true;
  const limiter = reservedConcurrencyLimiter(reserved);
  const measured: LoadReport["measured"] = {};
  const retryIntervalMs = [meanCapacityWaitMs() / timeScale, 2000 / timeScale];

  try {
    const jobIds = await createJobs(options.db, options.jobs, runId);
    const started = performance.now();
    const runJob = async (jobId: string) => {
      let modelRetries = 0;
      const retry = {
        minDelayMs: 1000 / timeScale,
        maxDelayMs: 20_000 / timeScale,
        log: {
          warn: () => {
            modelRetries += 1;
          },
        },
      };
      // The reviewer runs inside the reporter's function on the same model: its calls count as the reporter's.
      const modelFor = (name: RunAgentName, policy: OfflinePolicy) => {
        const agent = name === "reviewer" ? "reporter" : name;
        if (!isProfiled(agent)) return undefined;
        const real = createModel(bedrockConfig, {
          agent,
          jobId,
          offlinePolicy: policy,
          bedrockBaseURL: bedrock.urlFor(agent),
        });
        return new QuotaGatedModel(real, new OfflineModel(policy, agent), ({ usage }, elapsedMs) => {
          measured[agent] ??= { invocations: 0, calls: 0, inputTokens: 0, outputTokens: 0, modelMs: 0 };
          const m = measured[agent];
          m.calls += 1;
          m.outputTokens += usage.outputTokens;
          m.modelMs += elapsedMs;
        });
      };
      const startedAt = performance.now() - started;
      const execution = await executeLocally(
        { jobId },
        { deps: { ...options.deps, modelFor, retry }, taskFunctions: limiter.taskFunctions, retryIntervalMs },
      );
      const job = await getJob(options.db, jobId);
      const stateRetries = execution.events.filter((e) => e.type === "StateRetried").length;
      return {
        status: job?.status ?? "missing",
        startedMs: startedAt,
        ms: performance.now() - started,
        modelRetries,
        stateRetries,
        error: job?.error_message,
      };
    };
    const maxRunningJobs = admission ? limits.maxRunningJobs : Number.POSITIVE_INFINITY;
    const queue = await runThroughLocalQueue(jobIds, maxRunningJobs, timeScale, runJob);
    const results = queue.results;
    const wallMs = performance.now() - started;
    for (const agent of AGENTS) {
      const m = measured[agent];
      if (!m) continue;
      m.invocations = limiter.invocations[agent] ?? 0;
      m.inputTokens = bedrock.traffic.get(agent)?.inputTokens ?? 0;
    }
    const statuses: Record<string, number> = {};
    const failures: Record<string, number> = {};
    for (const r of results) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.error) failures[r.error.slice(0, 160)] = (failures[r.error.slice(0, 160)] ?? 0) + 1;
    }
    return {
      jobs: options.jobs,
      statuses,
      failures,
      timeScale,
      quota,
      reservedConcurrency: reserved,
      maxRunningJobs: admission ? limits.maxRunningJobs : undefined,
      peakRunningJobs: queue.peakRunning,
      queuedToStartMs: percentiles(results.map((r) => r.startedMs)),
      deferrals: queue.deferrals,
      wallMs,
      jobsPerQuotaMinute: options.jobs / ((wallMs * timeScale) / 60_000),
      queuedToDoneMs: percentiles(results.map((r) => r.ms)),
      model: bedrock.totals(),
      modelRetriesPerJob: withMean(results.map((r) => r.modelRetries)),
      stateRetriesPerJob: withMean(results.map((r) => r.stateRetries)),
      lambdaThrottles: limiter.refused(),
      peakConcurrency: limiter.peak,
      taskInvocations: limiter.invocations,
      taskWallMs: limiter.wallMs,
      loadAverage: [loadAtStart, loadavg()[0]],
      embeddingCalls: embeddings.count,
      measured,
    };
  } finally {
    await bedrock.close();
    embeddings.restore();
    restoreEnv();
  }
}
