import { AGENT_FUNCTIONS, type AgentFunctionName, SPECIALISTS } from "../roster.js";
import { AGENT_PROFILES, type AgentProfile, invocationSeconds, MODEL_SPEED } from "./workload.js";

/**
 * Backpressure toward the model's quota, in one place. The stack deploys these numbers (reserved
 * concurrency per agent function, the Map's MaxConcurrency, the Retry on throttling, the execution
 * timeout); the load test runs the same numbers locally; docs/scale.md explains them.
 */

/** The Bedrock quota the limits are sized for (Service Quotas: "On-demand InvokeModel tokens per minute for ${model}"). */
export interface ModelQuota {
  tokensPerMinute: number;
  /** Requests per minute. Bedrock's runtime endpoint now throttles on tokens only; we keep a request cap as a safety margin. */
  requestsPerMinute: number;
}

/**
 * The default we size for: an account's on-demand quota for gpt-oss-120b as we assume it (no published
 * default was found; read yours with `aws service-quotas list-service-quotas --service-code bedrock`,
 * and set ALEX_MODEL_TOKENS_PER_MINUTE / ALEX_MODEL_REQUESTS_PER_MINUTE at deploy time).
 */
export const DEFAULT_MODEL_QUOTA: ModelQuota = { tokensPerMinute: 400_000, requestsPerMinute: 400 };

/** Share of the quota the sizing plans to use; the rest absorbs estimation error and other callers. */
export const QUOTA_HEADROOM = 0.8;

/**
 * Output tokens asked for per model call (`maxTokens`). Bedrock reserves input + maxTokens from the
 * token bucket when a call starts and gives back the unused part when it ends, so an unset maxTokens
 * (the model's maximum) would let only a handful of calls be in flight.
 */
export const MAX_OUTPUT_TOKENS_PER_CALL = 4096;

/** Specialists one job runs side by side (the Map's MaxConcurrency): every specialist of the roster at once. */
export const MAP_MAX_CONCURRENCY = SPECIALISTS.length;

/**
 * The longest a job may take, waiting included (the state machine's TimeoutSeconds). Past it the
 * execution ends TIMED_OUT and the execution-ended rule fails the job with that reason.
 */
export const MAX_JOB_SECONDS = 1800;

/**
 * Step Functions' Retry for "no capacity now": Lambda refusing an invocation (account concurrency, or a
 * function's reserved concurrency when configured: Lambda.TooManyRequestsException), or the model still
 * throttling after the in-function retries (ThrottledError). Backoff up to a minute without jitter, so
 * the waits are what they say: the attempts always outlast MAX_JOB_SECONDS and the execution's own
 * timeout, not an exhausted retrier, is what ends a job that never got capacity. (With FULL jitter a
 * delay is uniform in [0, cap]: 67 attempts summed to less than 1,800 s about a third of the time.)
 * Admission control (`lib/pipeline/admission.ts`) keeps the jobs that run few enough that this is rare.
 */
export const CAPACITY_RETRY = {
  errors: ["Lambda.TooManyRequestsException", "ThrottledError"],
  intervalSeconds: 4,
  backoffRate: 1.5,
  maxDelaySeconds: 60,
  jitter: "NONE",
  maxAttempts: attemptsToOutlast(MAX_JOB_SECONDS, { intervalSeconds: 4, backoffRate: 1.5, maxDelaySeconds: 60 }),
} as const;

/** Fewest attempts of a capped exponential backoff whose waits add up to at least `seconds`. */
function attemptsToOutlast(
  seconds: number,
  retry: { intervalSeconds: number; backoffRate: number; maxDelaySeconds: number },
): number {
  let total = 0;
  let attempts = 0;
  while (total < seconds) {
    total += Math.min(retry.intervalSeconds * retry.backoffRate ** attempts, retry.maxDelaySeconds);
    attempts += 1;
  }
  return attempts;
}

/**
 * A tagger attempt that used its time budget stores what it classified and throws `TaggerOutOfTimeError`;
 * the next attempt goes on with the symbols still untagged. Four attempts of at most the tagger's 300 s
 * leave MAX_JOB_SECONDS room for the rest of the job (about 3,800 classifications at 4 at a time and
 * ~1 s a call, against a file's limit of 5,000 symbols: a real model may leave the last few hundred to the next
 * job); after them the job fails with that error.
 */
export const TAGGER_RESUME_RETRY = {
  errors: ["TaggerOutOfTimeError"],
  intervalSeconds: 1,
  backoffRate: 1,
  maxAttempts: 3,
} as const;

/** Total wait of the capacity retrier over all its attempts, seconds (no jitter: every run waits exactly this). */
export function capacityRetryTotalSeconds(retry: typeof CAPACITY_RETRY = CAPACITY_RETRY): number {
  let total = 0;
  for (let attempt = 0; attempt < retry.maxAttempts; attempt++) {
    total += Math.min(retry.intervalSeconds * retry.backoffRate ** attempt, retry.maxDelaySeconds);
  }
  return total;
}

/** Model tokens one invocation of an agent uses (input + output + reasoning, every call). */
const tokensPerInvocation = (p: AgentProfile) =>
  p.callsPerInvocation * (p.inputTokensPerCall + p.outputTokensPerCall + MODEL_SPEED.reasoningTokensPerCall);

/** Model tokens and calls an average job uses. */
export function perJob(profiles: Record<AgentFunctionName, AgentProfile> = AGENT_PROFILES) {
  let tokens = 0;
  let calls = 0;
  for (const name of AGENT_FUNCTIONS) {
    tokens += profiles[name].share * tokensPerInvocation(profiles[name]);
    calls += profiles[name].share * profiles[name].callsPerInvocation;
  }
  return { tokens, calls };
}

export interface ScaleLimits {
  quota: ModelQuota;
  /** Jobs per minute the quota sustains (with headroom): the rate the concurrency is sized for. */
  jobsPerMinute: number;
  /** Which quota bounds that rate. */
  boundBy: "tokens" | "requests";
  /** Reserved concurrency per agent function. */
  reservedConcurrency: Record<AgentFunctionName, number>;
  /** Tokens the in-flight calls reserve at most (each input + MAX_OUTPUT_TOKENS_PER_CALL); must fit the per-minute quota. */
  inFlightReservation: number;
  /** Seconds one job takes unthrottled, start to end ({@link jobServiceSeconds}). */
  jobSeconds: number;
  /**
   * Executions admission control lets run at once: the job rate the quota sustains × a job's seconds
   * (Little's law), rounded up. The job starter starts no more (lib/pipeline/admission.ts).
   */
  maxRunningJobs: number;
}

/** Seconds outside the agents per job: claim and value the snapshot, finalize (measured order of magnitude). */
const BOOKKEEPING_SECONDS_PER_JOB = 0.3;

/**
 * Seconds one job takes unthrottled: bookkeeping, the tagger (when it runs), the planner, then the
 * slowest of the specialists, which run side by side (the Map).
 */
function jobServiceSeconds(profiles: Record<AgentFunctionName, AgentProfile> = AGENT_PROFILES): number {
  const specialists = SPECIALISTS.map((name) => invocationSeconds(profiles[name]));
  return (
    BOOKKEEPING_SECONDS_PER_JOB +
    profiles.tagger.share * invocationSeconds(profiles.tagger) +
    invocationSeconds(profiles.planner) +
    Math.max(...specialists)
  );
}

/**
 * Sizes each agent function's reserved concurrency from the quota by Little's law: the job rate the
 * quota sustains × the share of jobs that run the agent × the seconds one invocation takes, rounded up.
 * More would only turn into 429s; fewer would leave quota unused.
 */
export function scaleLimits(
  quota: ModelQuota = DEFAULT_MODEL_QUOTA,
  profiles: Record<AgentFunctionName, AgentProfile> = AGENT_PROFILES,
): ScaleLimits {
  const job = perJob(profiles);
  const byTokens = (quota.tokensPerMinute * QUOTA_HEADROOM) / job.tokens;
  const byRequests = (quota.requestsPerMinute * QUOTA_HEADROOM) / job.calls;
  const jobsPerMinute = Math.min(byTokens, byRequests);
  const reservedConcurrency = Object.fromEntries(
    AGENT_FUNCTIONS.map((name) => {
      const p = profiles[name];
      return [name, Math.max(1, Math.ceil((jobsPerMinute / 60) * p.share * invocationSeconds(p)))];
    }),
  ) as Record<AgentFunctionName, number>;
  const inFlightReservation = AGENT_FUNCTIONS.reduce(
    (sum, name) => sum + reservedConcurrency[name] * (profiles[name].inputTokensPerCall + MAX_OUTPUT_TOKENS_PER_CALL),
    0,
  );
  const jobSeconds = jobServiceSeconds(profiles);
  return {
    quota,
    jobsPerMinute,
    boundBy: byTokens <= byRequests ? "tokens" : "requests",
    reservedConcurrency,
    inFlightReservation,
    jobSeconds,
    maxRunningJobs: Math.max(1, Math.ceil((jobsPerMinute / 60) * jobSeconds)),
  };
}

const positiveInt = (name: string, value: string | undefined, fallback: number) => {
  if (value === undefined || value.trim() === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: expected a positive integer, got "${value}"`);
  return n;
};

/** The quota from the deploy environment (ALEX_MODEL_TOKENS_PER_MINUTE, ALEX_MODEL_REQUESTS_PER_MINUTE), else the default. */
export function modelQuotaFromEnv(env: Record<string, string | undefined>): ModelQuota {
  return {
    tokensPerMinute: positiveInt(
      "ALEX_MODEL_TOKENS_PER_MINUTE",
      env.ALEX_MODEL_TOKENS_PER_MINUTE,
      DEFAULT_MODEL_QUOTA.tokensPerMinute,
    ),
    requestsPerMinute: positiveInt(
      "ALEX_MODEL_REQUESTS_PER_MINUTE",
      env.ALEX_MODEL_REQUESTS_PER_MINUTE,
      DEFAULT_MODEL_QUOTA.requestsPerMinute,
    ),
  };
}

/**
 * Reserved concurrency per agent function, as the deploy environment asks: none unless
 * `ALEX_RESERVED_CONCURRENCY=quota` (then sized from the model quota by {@link scaleLimits}). Without
 * reservations the model quota is still respected: admission control starts no more jobs than it sustains.
 */
export function reservedConcurrencyFromEnv(
  env: Record<string, string | undefined>,
): Partial<Record<AgentFunctionName, number>> {
  const setting = env.ALEX_RESERVED_CONCURRENCY?.trim() || "off";
  if (setting === "off") return {};
  if (setting === "quota") return scaleLimits(modelQuotaFromEnv(env)).reservedConcurrency;
  throw new Error(`ALEX_RESERVED_CONCURRENCY: expected "off" or "quota", got "${setting}"`);
}
