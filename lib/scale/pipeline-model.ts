import { createRandom } from "../random/random.js";
import { exponential, Simulation } from "./des.js";
import {
  CAPACITY_RETRY,
  MAP_MAX_CONCURRENCY,
  MAX_JOB_SECONDS,
  MAX_OUTPUT_TOKENS_PER_CALL,
  type ModelQuota,
  scaleLimits,
} from "./limits.js";
import { TokenBucket } from "./token-bucket.js";
import {
  AGENT_NAMES,
  AGENT_PROFILES,
  type AgentName,
  type AgentProfile,
  MEASURED,
  MODEL_SPEED,
  modelCallSeconds,
  PUBLISHED_LIMITS,
  SERVICE_TIMES,
  UNIT_PRICES,
} from "./workload.js";

/**
 * The deployed pipeline as a discrete-event model: SQS → job starter (admission control: at most
 * `maxRunningJobs` executions, the rest wait in the queue and are offered again every
 * `admissionRetrySeconds`) → StartExecution (token bucket) → Prepare job → (Refresh prices) → (Tag) →
 * Plan → Map of specialists → Finalize. Each task is a Lambda invocation (cold starts when no warm
 * environment is idle; reserved concurrency only if configured, refusals waiting out the Retry); each
 * model call takes its reservation from Bedrock's token and request buckets (429s retried in the
 * function with p-retry's backoff, then handed back to Step Functions as ThrottledError) and lasts a
 * lognormal multiple of its mean (tail latency); the reporter first embeds its queries one at a time on
 * the serverless endpoint (MaxConcurrency, cold starts, throttles retried, else no market context);
 * Aurora's ACUs follow the Data API load, and it pauses when idle and resumes on the next statement.
 */

export interface Scenario {
  name: string;
  /** Arrivals stop after this many seconds; the run continues until every job has ended. */
  durationSeconds: number;
  /** Poisson arrival rate at time t, jobs per second. */
  rate: (t: number) => number;
  /** Upper bound of `rate`, for thinning. */
  maxRate: number;
  seed: number;
}

export interface Settings {
  quota: ModelQuota;
  /** Reserved concurrency per agent function; none unless ALEX_RESERVED_CONCURRENCY=quota. */
  reservedConcurrency: Partial<Record<AgentName, number>>;
  /** Admission control's budget of running executions (Infinity: every message starts at once). */
  maxRunningJobs: number;
  /** How long a deferred message stays invisible (ADMISSION_RETRY_SECONDS, lib/pipeline/admission.ts). */
  admissionRetrySeconds: number;
  /** A job pending longer is failed by the sweeper (EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS). */
  pendingLimitSeconds: number;
  /** The embedding endpoint's MaxConcurrency. */
  embeddingMaxConcurrency: number;
  mapMaxConcurrency: number;
  maxJobSeconds: number;
  auroraMaxAcu: number;
  /** In-function retries of a throttled model call (ALEX_MODEL_MAX_RETRIES). */
  modelMaxRetries: number;
}

const measuredSeconds = (task: string, fallback: number) => MEASURED.taskSeconds[task] ?? fallback;
/** Bookkeeping tasks outside the agents: run time (measured by `npm run load`) and Data API statements (order of magnitude). */
const BOOKKEEPING = {
  prepareJob: { seconds: measuredSeconds("prepareJob", 0.15), statements: 4, memoryMB: 256 },
  // The load test refreshes without a market-data key (recorded, and the job goes on): the Polygon calls are assumed.
  refreshPrices: SERVICE_TIMES.refreshPrices,
  finalizeJob: { seconds: measuredSeconds("finalizeJob", 0.15), statements: 4, memoryMB: 256 },
} as const;
/** Data API statements per agent invocation (reads of the job and snapshot, writes of the result). */
const AGENT_STATEMENTS = 4;
/** Transitions outside the tasks: Job claimed?, Instruments missing?, Run specialists, Job completed?, Analysis complete. */
const FIXED_TRANSITIONS = 5;
/** SQS requests per job: send, receive (the job starter's batch, ÷ 10 ≈ 1 with the delete), delete. */
const SQS_REQUESTS_PER_JOB = 3;
/** SQS requests per deferral: its share of a batch receive, and its ChangeMessageVisibility. */
const SQS_REQUESTS_PER_DEFERRAL = 1.1;
/** The job starter's invocation: seconds and memory (ListExecutions + up to 10 StartExecution / ChangeMessageVisibility). */
const STARTER = { seconds: 0.25, memoryMB: 256, batch: 10 };
/** Retries of a throttled embedding call and their backoff (EMBEDDING_THROTTLE_RETRY, lib/knowledge/sagemaker-embedder.ts). */
const EMBEDDING_RETRY = { retries: 6, minSeconds: 0.25, maxSeconds: 8 };

export interface LimitUse {
  limit: string;
  /** A service's published limit, or one of our own settings (the backpressure). */
  kind: "published" | "setting";
  /** Highest one-minute utilisation (demand over capacity; above 1 means demand was refused). */
  peak: number;
  /**
   * First minute that refused at least 5% of its demand, or (published limits) whose utilisation
   * reached 95%; seconds from the start.
   */
  saturatedAt: number | null;
}

export interface SimulationResult {
  scenario: string;
  jobs: number;
  completed: number;
  timedOut: number;
  p50Seconds: number;
  p95Seconds: number;
  maxSeconds: number;
  /** Jobs waiting (queued, or in a Retry's backoff with no function running for them), sampled each minute. */
  queueByMinute: number[];
  limits: LimitUse[];
  /** The published limit that saturated first, or null. */
  firstSaturated: string | null;
  /** Our own setting (reserved concurrency) that engaged first, or null. */
  firstBackpressure: string | null;
  model429s: number;
  lambdaRefusals: number;
  stateTransitions: number;
  /** Most executions running at once, and messages the job starter handed back to the queue. */
  peakRunningJobs: number;
  deferrals: number;
  /** Jobs failed by the sweeper while still waiting in the queue. */
  sweptPending: number;
  lambdaColdStarts: number;
  embeddingCalls: number;
  embeddingThrottles: number;
  embeddingColdStarts: number;
  /** Reports written without market context (the endpoint kept throttling). */
  marketContextMissing: number;
  auroraResumes: number;
  costPerJob: CostPerJob;
  events: number;
}

/** USD per completed job, one line per service (fixed monthly costs: scripts/simulate.ts). */
export interface CostPerJob {
  modelTokens: number;
  lambda: number;
  stepFunctions: number;
  sqs: number;
  auroraAcu: number;
  auroraIo: number;
  dataApi: number;
  cloudWatchLogs: number;
  xray: number;
  sageMaker: number;
  s3Vectors: number;
  total: number;
}

interface Job {
  arrived: number;
  deadline: number;
  active: number;
  done: boolean;
  executing: boolean;
}

type FunctionName = AgentName | keyof typeof BOOKKEEPING;

const FUNCTIONS: FunctionName[] = [...AGENT_NAMES, "prepareJob", "refreshPrices", "finalizeJob"];
const keysFor = (prefix: string) =>
  Object.fromEntries(FUNCTIONS.map((fn) => [fn, `${prefix}:${fn}`])) as Record<FunctionName, string>;
const KEYS = { attempts: keysFor("attempts"), refused: keysFor("refused"), concurrency: keysFor("concurrency") };

/** Runs one scenario with the given settings. Pure and seeded: same inputs, same result. */
export function simulatePipeline(
  scenario: Scenario,
  settings: Settings,
  profiles: Record<AgentName, AgentProfile> = AGENT_PROFILES,
): SimulationResult {
  const sim = new Simulation();
  const random = createRandom(scenario.seed);
  const u = () => random.uniform();
  const minute = 60;
  const tokens = new TokenBucket(settings.quota.tokensPerMinute, minute, 0);
  const requests = new TokenBucket(settings.quota.requestsPerMinute, minute, 0);
  const startExecution = new TokenBucket(
    PUBLISHED_LIMITS.stepFunctions.startExecutionBucket,
    PUBLISHED_LIMITS.stepFunctions.startExecutionBucket / PUBLISHED_LIMITS.stepFunctions.startExecutionPerSecond,
    0,
  );
  const unreserved =
    PUBLISHED_LIMITS.lambdaAccountConcurrency -
    AGENT_NAMES.reduce((sum, a) => sum + (settings.reservedConcurrency[a] ?? 0), 0);
  const limitOf = (fn: FunctionName) =>
    fn in BOOKKEEPING ? unreserved : (settings.reservedConcurrency[fn as AgentName] ?? unreserved);
  const inFlight: Record<string, number> = {};
  let bookkeepingInFlight = 0;

  // Per-minute demand, for saturation.
  const perMinute = new Map<string, number[]>();
  const add = (key: string, amount: number) => {
    const m = Math.floor(sim.now / minute);
    const series = perMinute.get(key) ?? [];
    series[m] = (series[m] ?? 0) + amount;
    perMinute.set(key, series);
  };
  const peakConcurrency = new Map<string, number[]>();
  const notePeak = (key: string, value: number) => {
    const m = Math.floor(sim.now / minute);
    const series = peakConcurrency.get(key) ?? [];
    series[m] = Math.max(series[m] ?? 0, value);
    peakConcurrency.set(key, series);
  };

  let model429s = 0;
  let lambdaRefusals = 0;
  let transitions = 0;
  let gbSeconds = 0;
  let lambdaRequests = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let statements = 0;
  let statementsThisSecond = 0;
  let acu = 0;
  let acuSeconds = 0;
  let auroraUtilisation = 1;
  const durations: number[] = [];
  let timedOut = 0;
  let inSystem = 0;
  let running = 0;
  const queueByMinute: number[] = [];
  const backlog: Job[] = [];
  let executions = 0;
  let peakRunningJobs = 0;
  let deferrals = 0;
  let sweptPending = 0;
  let starterInvocations = 0;
  let lambdaColdStarts = 0;
  let embeddingCalls = 0;
  let embeddingThrottles = 0;
  let embeddingColdStarts = 0;
  let embeddingSeconds = 0;
  let embeddingInFlight = 0;
  const embeddingIdleSince: number[] = [];
  let marketContextMissing = 0;
  let auroraPaused = false;
  let auroraResumeAt = 0;
  let auroraIdleSeconds = 0;
  let auroraResumes = 0;
  let sqsRequests = 0;
  const idleSince = Object.fromEntries(FUNCTIONS.map((fn) => [fn, [] as number[]])) as Record<FunctionName, number[]>;

  const transition = (n = 1) => {
    transitions += n;
    add("transitions", n);
  };

  const finish = (job: Job, ok: boolean) => {
    if (job.done) return;
    job.done = true;
    inSystem -= 1;
    if (job.active > 0) running -= 1;
    if (ok) durations.push(sim.now - job.arrived);
    else timedOut += 1;
    if (job.executing) {
      executions -= 1;
      admit();
    }
  };
  const expired = (job: Job) => {
    if (job.done) return true;
    if (sim.now < job.deadline) return false;
    finish(job, false);
    return true;
  };
  const activate = (job: Job, delta: 1 | -1) => {
    const before = job.active;
    job.active += delta;
    if (before === 0 && job.active > 0 && !job.done) running += 1;
    if (before > 0 && job.active === 0 && !job.done) running -= 1;
  };

  /** The capacity Retry: the capped exponential interval, no jitter. */
  const capacityDelay = (attempt: number) =>
    Math.min(CAPACITY_RETRY.intervalSeconds * CAPACITY_RETRY.backoffRate ** attempt, CAPACITY_RETRY.maxDelaySeconds);
  /** p-retry's delay before retry `attempt` (0-based): 1 s doubling to 20 s, times a random factor in [1, 2). */
  const modelRetryDelay = (attempt: number) => Math.min(1 * 2 ** attempt, 20) * (1 + u());

  /** Statements' time; a paused cluster resumes first (the Data API driver retries while it does). */
  const dbSeconds = (n: number) => {
    statements += n;
    statementsThisSecond += n;
    auroraIdleSeconds = 0;
    if (auroraPaused) {
      auroraPaused = false;
      auroraResumes += 1;
      auroraResumeAt = sim.now + SERVICE_TIMES.auroraResumeSeconds;
    }
    return Math.max(0, auroraResumeAt - sim.now) + 0.01 * n * Math.max(1, auroraUtilisation);
  };

  /** A model call's duration: its mean times a lognormal factor of mean 1 (the tail of real latency). */
  const latencyFactor = () => {
    const sigma = SERVICE_TIMES.modelLatencySigma;
    const z = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
    return Math.exp(sigma * z - (sigma * sigma) / 2);
  };

  /** Init seconds of an invocation of `fn`: none if a warm environment is idle, else a cold start. */
  const coldStartSeconds = (fn: FunctionName) => {
    const idle = idleSince[fn];
    while (idle.length > 0) {
      const since = idle.pop() as number;
      if (sim.now - since <= SERVICE_TIMES.lambdaIdleSeconds) return 0;
    }
    lambdaColdStarts += 1;
    return fn in BOOKKEEPING
      ? SERVICE_TIMES.lambdaColdStartSeconds.bookkeeping
      : SERVICE_TIMES.lambdaColdStartSeconds.agent;
  };

  /** The reporter's embedding calls, one at a time; `then(missing)` says whether the market context is missing. */
  const embed = (calls: number, attempt: number, then: (missing: boolean) => void) => {
    if (calls === 0) return then(false);
    if (embeddingInFlight >= settings.embeddingMaxConcurrency) {
      embeddingThrottles += 1;
      if (attempt >= EMBEDDING_RETRY.retries) return then(true);
      const delay = Math.min(EMBEDDING_RETRY.minSeconds * 2 ** attempt, EMBEDDING_RETRY.maxSeconds) * (1 + u());
      return sim.after(delay, () => embed(calls, attempt + 1, then));
    }
    embeddingInFlight += 1;
    embeddingCalls += 1;
    let cold: number = SERVICE_TIMES.embeddingColdStartSeconds;
    while (embeddingIdleSince.length > 0) {
      const since = embeddingIdleSince.pop() as number;
      if (sim.now - since <= SERVICE_TIMES.embeddingIdleSeconds) {
        cold = 0;
        break;
      }
    }
    if (cold > 0) embeddingColdStarts += 1;
    const seconds = SERVICE_TIMES.embeddingSeconds * latencyFactor();
    embeddingSeconds += seconds;
    sim.after(cold + seconds, () => {
      embeddingInFlight -= 1;
      embeddingIdleSince.push(sim.now);
      embed(calls - 1, 0, then);
    });
  };
  /** Embedding calls of one reporter invocation: the measured mean per job, rounded at random. */
  const embeddingCallsPerReport = MEASURED.embeddingCallsPerJob / Math.max(profiles.reporter.share, 1e-9);
  const reportEmbeddings = () => Math.floor(embeddingCallsPerReport) + (u() < embeddingCallsPerReport % 1 ? 1 : 0);

  /** One model call of an agent; `then(ok)` with false once the in-function retries are spent. */
  const modelCall = (agent: AgentName, attempt: number, then: (ok: boolean) => void) => {
    const p = profiles[agent];
    const reservation = p.inputTokensPerCall + MAX_OUTPUT_TOKENS_PER_CALL;
    add("requests", 1);
    add("tokens", p.inputTokensPerCall + p.outputTokensPerCall + MODEL_SPEED.reasoningTokensPerCall);
    const granted =
      requests.take(1, sim.now) && (tokens.take(reservation, sim.now) || (requests.give(1, sim.now), false));
    if (!granted) {
      model429s += 1;
      add("429", 1);
      if (attempt >= settings.modelMaxRetries) return then(false);
      return sim.after(modelRetryDelay(attempt), () => modelCall(agent, attempt + 1, then));
    }
    const output = p.outputTokensPerCall + MODEL_SPEED.reasoningTokensPerCall;
    sim.after(modelCallSeconds(p) * latencyFactor(), () => {
      tokens.give(MAX_OUTPUT_TOKENS_PER_CALL - output, sim.now);
      inputTokens += p.inputTokensPerCall;
      outputTokens += output;
      then(true);
    });
  };

  /** A Task state invoking `fn`; refused or throttled invocations are retried until the job's deadline. */
  const task = (job: Job, fn: FunctionName, attempt: number, next: () => void) => {
    if (expired(job)) return;
    transition();
    add(KEYS.attempts[fn], 1);
    const isAgent = !(fn in BOOKKEEPING);
    const current = isAgent ? (inFlight[fn] ?? 0) : bookkeepingInFlight;
    if (current >= limitOf(fn)) {
      lambdaRefusals += 1;
      add(KEYS.refused[fn], 1);
      return sim.after(capacityDelay(attempt), () => task(job, fn, attempt + 1, next));
    }
    if (isAgent) inFlight[fn] = current + 1;
    else bookkeepingInFlight = current + 1;
    notePeak(isAgent ? KEYS.concurrency[fn] : "concurrency:unreserved", current + 1);
    lambdaRequests += 1;
    activate(job, 1);
    const started = sim.now;
    const init = coldStartSeconds(fn);
    const memoryMB = isAgent
      ? profiles[fn as AgentName].memoryMB
      : BOOKKEEPING[fn as keyof typeof BOOKKEEPING].memoryMB;
    const end = (ok: boolean) => {
      gbSeconds += ((sim.now - started) * memoryMB) / 1024;
      idleSince[fn].push(sim.now);
      if (isAgent) inFlight[fn] -= 1;
      else bookkeepingInFlight -= 1;
      activate(job, -1);
      if (ok) return next();
      sim.after(capacityDelay(attempt), () => task(job, fn, attempt + 1, next));
    };
    if (!isAgent) {
      const b = BOOKKEEPING[fn as keyof typeof BOOKKEEPING];
      return sim.after(init + b.seconds + dbSeconds(b.statements), () => end(true));
    }
    const p = profiles[fn as AgentName];
    const calls = Math.floor(p.callsPerInvocation) + (u() < p.callsPerInvocation % 1 ? 1 : 0);
    const call = (i: number) => {
      if (i === calls) return sim.after(p.overheadSeconds + dbSeconds(AGENT_STATEMENTS), () => end(true));
      modelCall(fn as AgentName, 0, (ok) => (ok ? call(i + 1) : end(false)));
    };
    const afterInit = () =>
      fn === "reporter"
        ? embed(reportEmbeddings(), 0, (missing) => {
            if (missing) marketContextMissing += 1;
            call(0);
          })
        : call(0);
    if (init > 0) sim.after(init, afterInit);
    else afterInit();
  };

  const refreshShare = MEASURED.tasksPerJob.refreshPrices ?? 0;
  const runJob = (job: Job) => {
    transition(FIXED_TRANSITIONS);
    task(job, "prepareJob", 0, () => {
      const plan = () =>
        task(job, "planner", 0, () => {
          const chosen = (["reporter", "charter", "retirement"] as const).filter((a) => u() < profiles[a].share);
          if (chosen.length === 0) return task(job, "finalizeJob", 0, () => finish(job, true));
          let next = 0;
          let left = chosen.length;
          const startOne = () => {
            const agent = chosen[next++];
            transition(); // Which specialist?
            task(job, agent, 0, () => {
              left -= 1;
              if (next < chosen.length) startOne();
              if (left === 0) task(job, "finalizeJob", 0, () => finish(job, true));
            });
          };
          for (let i = 0; i < Math.min(settings.mapMaxConcurrency, chosen.length); i++) startOne();
        });
      const tag = () => (u() < profiles.tagger.share ? task(job, "tagger", 0, plan) : plan());
      if (u() < refreshShare) task(job, "refreshPrices", 0, tag);
      else tag();
    });
  };

  const start = (job: Job) => {
    add("startExecution", 1);
    if (!startExecution.take(1, sim.now)) return sim.after(1, () => start(job));
    job.deadline = sim.now + settings.maxJobSeconds;
    runJob(job);
  };

  /**
   * Admission control: while the budget has room, the next queued job starts. A message the starter
   * deferred becomes visible again within `admissionRetrySeconds`; with a backlog of B messages offered
   * in batches, the next one is seen after about retry × batch / B.
   */
  const admit = () => {
    while (backlog.length > 0 && executions < settings.maxRunningJobs) {
      const job = backlog.shift() as Job;
      if (job.done) continue;
      executions += 1;
      job.executing = true;
      peakRunningJobs = Math.max(peakRunningJobs, executions);
      notePeak("executions", executions);
      add("admitted", 1);
      starterInvocations += 1 / STARTER.batch;
      const seen =
        backlog.length === 0 ? 0 : (u() * settings.admissionRetrySeconds * STARTER.batch) / (backlog.length + 1);
      sim.after(Math.min(seen, settings.admissionRetrySeconds), () => start(job));
    }
  };

  // Poisson arrivals by thinning.
  let jobs = 0;
  const arrive = (t: number) => {
    if (t >= scenario.durationSeconds) return;
    sim.at(t, () => {
      if (u() < scenario.rate(t) / scenario.maxRate) {
        jobs += 1;
        inSystem += 1;
        sqsRequests += SQS_REQUESTS_PER_JOB;
        backlog.push({
          arrived: sim.now,
          deadline: Number.POSITIVE_INFINITY,
          active: 0,
          done: false,
          executing: false,
        });
        admit();
      }
      arrive(t + exponential(scenario.maxRate, u()));
    });
  };
  arrive(exponential(scenario.maxRate, u()));

  // Aurora's capacity follows the Data API load each second (it doubles at most every `acuScaleUpSecondsPerDoubling`).
  const { aurora } = PUBLISHED_LIMITS;
  const tick = () => {
    // Deferred messages come back every admissionRetrySeconds: each is a receive share and a ChangeMessageVisibility.
    const deferredNow = backlog.length / settings.admissionRetrySeconds;
    deferrals += deferredNow;
    add("deferred", deferredNow);
    sqsRequests += deferredNow * SQS_REQUESTS_PER_DEFERRAL;
    starterInvocations += deferredNow / STARTER.batch;
    while (backlog.length > 0 && sim.now - backlog[0].arrived > settings.pendingLimitSeconds) {
      const job = backlog.shift() as Job;
      sweptPending += 1;
      finish(job, false);
    }
    const needed = statementsThisSecond / aurora.dataApiStatementsPerAcuSecond;
    auroraIdleSeconds = statementsThisSecond === 0 && inSystem === 0 ? auroraIdleSeconds + 1 : 0;
    statementsThisSecond = 0;
    if (auroraIdleSeconds >= SERVICE_TIMES.auroraPauseAfterSeconds) auroraPaused = true;
    // Idle but not paused, the cluster sits at its smallest running capacity (0.5 ACU); paused, at 0.
    const floor = auroraPaused ? aurora.minAcu : 0.5;
    const target = Math.min(settings.auroraMaxAcu, Math.max(needed * 1.25, floor));
    acu = target > acu ? Math.min(target, Math.max(0.5, acu) * 2 ** (1 / aurora.acuScaleUpSecondsPerDoubling)) : target;
    auroraUtilisation = acu > 0 ? needed / acu : 0;
    acuSeconds += acu;
    add("acuDemand", needed);
    add("acuCapacity", acu);
    if (sim.now % minute === 0) queueByMinute.push(inSystem - running);
    if (sim.now < scenario.durationSeconds || inSystem > 0) sim.after(1, tick);
  };
  sim.at(0, tick);

  sim.run();

  const sorted = [...durations].sort((a, b) => a - b);
  const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  const limits = limitUses(perMinute, peakConcurrency, settings, unreserved);
  const gb = (mb: number) => mb / 1024;
  gbSeconds += starterInvocations * STARTER.seconds * gb(STARTER.memoryMB);
  lambdaRequests += starterInvocations;
  const first = (kind: LimitUse["kind"]) =>
    limits
      .filter((l) => l.kind === kind && l.saturatedAt !== null)
      .sort((a, b) => a.saturatedAt! - b.saturatedAt! || b.peak - a.peak)[0]?.limit ?? null;
  /** Costs are per completed job: what the work of the jobs that timed out cost is carried by the others. */
  const perJob = (x: number) => x / Math.max(1, durations.length);
  const price = UNIT_PRICES;
  const cost = {
    modelTokens: perJob(
      (inputTokens * price.modelInputPerMillionTokens + outputTokens * price.modelOutputPerMillionTokens) / 1e6,
    ),
    lambda: perJob(gbSeconds * price.lambdaArmPerGbSecond + (lambdaRequests * price.lambdaPerMillionRequests) / 1e6),
    stepFunctions: perJob((transitions * price.stepFunctionsPerThousandTransitions) / 1000),
    sqs: perJob((sqsRequests * price.sqsPerMillionRequests) / 1e6),
    auroraAcu: perJob((acuSeconds / 3600) * price.auroraPerAcuHour),
    // One billed I/O per statement: an assumption (small indexed rows, mostly cached reads; writes go to storage).
    auroraIo: perJob((statements * price.auroraIoPerMillionRequests) / 1e6),
    dataApi: perJob((statements * price.dataApiPerMillionRequests) / 1e6),
    cloudWatchLogs: perJob((jobs * SERVICE_TIMES.logBytesPerJob * price.cloudWatchLogsIngestPerGb) / 1e9),
    // One trace per execution (the state machine's X-Ray tracing).
    xray: perJob((jobs * price.xrayPerMillionTracesRecorded) / 1e6),
    sageMaker: perJob(embeddingSeconds * 3 * price.sageMakerServerlessPerGbSecond),
    s3Vectors: perJob((embeddingCalls * price.s3VectorsPerMillionQueries) / 1e6),
  };
  return {
    scenario: scenario.name,
    jobs,
    completed: durations.length,
    timedOut,
    p50Seconds: pct(0.5),
    p95Seconds: pct(0.95),
    maxSeconds: sorted.at(-1) ?? 0,
    queueByMinute,
    limits,
    firstSaturated: first("published"),
    firstBackpressure: first("setting"),
    model429s,
    lambdaRefusals,
    stateTransitions: transitions,
    peakRunningJobs,
    deferrals: Math.round(deferrals),
    sweptPending,
    lambdaColdStarts,
    embeddingCalls,
    embeddingThrottles,
    embeddingColdStarts,
    marketContextMissing,
    auroraResumes,
    costPerJob: { ...cost, total: Object.values(cost).reduce((a, b) => a + b, 0) },
    events: sim.events,
  };
}

function limitUses(
  perMinute: Map<string, number[]>,
  peaks: Map<string, number[]>,
  settings: Settings,
  unreserved: number,
): LimitUse[] {
  const series = (key: string) => perMinute.get(key) ?? [];
  const use = (
    limit: string,
    kind: LimitUse["kind"],
    utilisation: number[],
    refused: number[] = [],
    attempts: number[] = [],
  ): LimitUse => {
    let peak = 0;
    let saturatedAt: number | null = null;
    utilisation.forEach((value, m) => {
      const v = value ?? 0;
      peak = Math.max(peak, v);
      const refusedShare = (refused[m] ?? 0) / Math.max(1, attempts[m] ?? refused[m] ?? 0);
      if (saturatedAt === null && ((kind === "published" && v >= 0.95) || refusedShare >= 0.05)) saturatedAt = m * 60;
    });
    return { limit, kind, peak, saturatedAt };
  };
  const per = (values: number[], capacity: number) => Array.from(values, (v) => (v ?? 0) / capacity);
  const sf = PUBLISHED_LIMITS.stepFunctions;
  return [
    use(
      "Bedrock tokens per minute",
      "published",
      per(series("tokens"), settings.quota.tokensPerMinute),
      series("429"),
      series("requests"),
    ),
    use("Bedrock requests per minute", "published", per(series("requests"), settings.quota.requestsPerMinute)),
    ...(Number.isFinite(settings.maxRunningJobs)
      ? [
          use(
            `Admission control: running jobs (${settings.maxRunningJobs})`,
            "setting",
            per(peaks.get("executions") ?? [], settings.maxRunningJobs),
            series("deferred"),
            Array.from(series("deferred"), (d, m) => (d ?? 0) + (series("admitted")[m] ?? 0)),
          ),
        ]
      : []),
    ...AGENT_NAMES.filter((agent) => settings.reservedConcurrency[agent] !== undefined).map((agent) =>
      use(
        `Lambda reserved concurrency: ${agent} (${settings.reservedConcurrency[agent]})`,
        "setting",
        per(peaks.get(`concurrency:${agent}`) ?? [], settings.reservedConcurrency[agent] as number),
        series(`refused:${agent}`),
        series(`attempts:${agent}`),
      ),
    ),
    use(
      `Lambda unreserved concurrency (${unreserved})`,
      "published",
      per(peaks.get("concurrency:unreserved") ?? [], unreserved),
    ),
    use(
      "Step Functions StartExecution (300/s)",
      "published",
      per(series("startExecution"), sf.startExecutionPerSecond * 60),
    ),
    use(
      "Step Functions state transitions (5,000/s)",
      "published",
      per(series("transitions"), sf.stateTransitionsPerSecond * 60),
    ),
    use(
      `Aurora Serverless v2 (max ${settings.auroraMaxAcu} ACU)`,
      "published",
      Array.from(series("acuDemand"), (v) => (v ?? 0) / 60 / settings.auroraMaxAcu),
    ),
  ];
}

/** The settings the stack deploys, for a quota, its reservations (none by default) and Aurora maximum. */
export function deployedSettings(
  quota: ModelQuota,
  reservedConcurrency: Partial<Record<AgentName, number>> = {},
  overrides: Partial<Settings> = {},
): Settings {
  const maxRunningJobs = scaleLimits(quota).maxRunningJobs;
  return {
    quota,
    reservedConcurrency,
    maxRunningJobs,
    admissionRetrySeconds: 20,
    pendingLimitSeconds: MAX_JOB_SECONDS + 600,
    embeddingMaxConcurrency: Math.min(200, maxRunningJobs),
    mapMaxConcurrency: MAP_MAX_CONCURRENCY,
    maxJobSeconds: MAX_JOB_SECONDS,
    auroraMaxAcu: PUBLISHED_LIMITS.aurora.maxAcu,
    /** ALEX_MODEL_MAX_RETRIES' default (lib/config.ts). */
    modelMaxRetries: 4,
    ...overrides,
  };
}
