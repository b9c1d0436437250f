import { createRandom, type Random } from "../random/random.js";
import {
  AGENT_FUNCTIONS,
  type AgentFunctionName,
  SPECIALIST_ROSTER,
  SPECIALISTS,
  type SpecialistName,
} from "../roster.js";
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
  AGENT_PROFILES,
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
  reservedConcurrency: Partial<Record<AgentFunctionName, number>>;
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
/** Transitions outside the tasks: Job claimed?, Instruments missing?, Run specialists, Quality gate, Analysis complete. */
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

type FunctionName = AgentFunctionName | keyof typeof BOOKKEEPING;

const FUNCTIONS: FunctionName[] = [...AGENT_FUNCTIONS, "prepareJob", "refreshPrices", "finalizeJob"];
const keysFor = (prefix: string) =>
  Object.fromEntries(FUNCTIONS.map((fn) => [fn, `${prefix}:${fn}`])) as Record<FunctionName, string>;
const KEYS = { attempts: keysFor("attempts"), refused: keysFor("refused"), concurrency: keysFor("concurrency") };

/** Runs one scenario with the given settings. Pure and seeded: same inputs, same result. */
export function simulatePipeline(
  scenario: Scenario,
  settings: Settings,
  profiles: Record<AgentFunctionName, AgentProfile> = AGENT_PROFILES,
): SimulationResult {
  const run = new PipelineRun(scenario, settings, profiles);
  run.scheduleArrivals();
  run.scheduleEverySecond();
  run.sim.run();
  return run.result();
}

const MINUTE = 60;

/** The specialists that embed their queries before their model calls (the reporter: market context). */
const EMBEDDING_SPECIALISTS = SPECIALISTS.filter((name) => SPECIALIST_ROSTER[name].scale.embedsQueries);
const REFRESH_SHARE = MEASURED.tasksPerJob.refreshPrices ?? 0;

/** The capacity Retry: the capped exponential interval, no jitter. */
const capacityDelay = (attempt: number) =>
  Math.min(CAPACITY_RETRY.intervalSeconds * CAPACITY_RETRY.backoffRate ** attempt, CAPACITY_RETRY.maxDelaySeconds);

/** One scenario's run: the model's state, and one method per step a job or a service takes. */
class PipelineRun {
  readonly sim = new Simulation();
  private readonly random: Random;
  private readonly tokens: TokenBucket;
  private readonly requests: TokenBucket;
  private readonly startExecution = new TokenBucket(
    PUBLISHED_LIMITS.stepFunctions.startExecutionBucket,
    PUBLISHED_LIMITS.stepFunctions.startExecutionBucket / PUBLISHED_LIMITS.stepFunctions.startExecutionPerSecond,
    0,
  );
  private readonly unreserved: number;
  /** Embedding calls of one reporter invocation: the measured mean per job. */
  private readonly embeddingCallsPerReport: number;

  // Per-minute demand and peaks, for saturation.
  private readonly perMinute = new Map<string, number[]>();
  private readonly peakConcurrency = new Map<string, number[]>();

  // Lambda.
  private readonly inFlight: Record<string, number> = {};
  private bookkeepingInFlight = 0;
  private readonly idleSince = Object.fromEntries(FUNCTIONS.map((fn) => [fn, [] as number[]])) as Record<
    FunctionName,
    number[]
  >;
  private lambdaRefusals = 0;
  private lambdaColdStarts = 0;
  private gbSeconds = 0;
  private lambdaRequests = 0;

  // Bedrock.
  private model429s = 0;
  private inputTokens = 0;
  private outputTokens = 0;

  // Step Functions, SQS and the job starter.
  private transitions = 0;
  private sqsRequests = 0;
  private starterInvocations = 0;

  // Aurora through the Data API.
  private statements = 0;
  private statementsThisSecond = 0;
  private acu = 0;
  private acuSeconds = 0;
  private auroraUtilisation = 1;
  private auroraPaused = false;
  private auroraResumeAt = 0;
  private auroraIdleSeconds = 0;
  private auroraResumes = 0;

  // The embedding endpoint.
  private embeddingCalls = 0;
  private embeddingThrottles = 0;
  private embeddingColdStarts = 0;
  private embeddingSeconds = 0;
  private embeddingInFlight = 0;
  private readonly embeddingIdleSince: number[] = [];
  private marketContextMissing = 0;

  // Jobs.
  private jobs = 0;
  private readonly durations: number[] = [];
  private timedOut = 0;
  private inSystem = 0;
  private running = 0;
  private readonly queueByMinute: number[] = [];
  private readonly backlog: Job[] = [];
  private executions = 0;
  private peakRunningJobs = 0;
  private deferrals = 0;
  private sweptPending = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly settings: Settings,
    private readonly profiles: Record<AgentFunctionName, AgentProfile>,
  ) {
    this.random = createRandom(scenario.seed);
    this.tokens = new TokenBucket(settings.quota.tokensPerMinute, MINUTE, 0);
    this.requests = new TokenBucket(settings.quota.requestsPerMinute, MINUTE, 0);
    this.unreserved =
      PUBLISHED_LIMITS.lambdaAccountConcurrency -
      AGENT_FUNCTIONS.reduce((sum, a) => sum + (settings.reservedConcurrency[a] ?? 0), 0);
    const embeddingShare = EMBEDDING_SPECIALISTS.reduce((sum, name) => sum + profiles[name].share, 0);
    this.embeddingCallsPerReport = MEASURED.embeddingCallsPerJob / Math.max(embeddingShare, 1e-9);
  }

  private u(): number {
    return this.random.uniform();
  }

  private add(key: string, amount: number) {
    const m = Math.floor(this.sim.now / MINUTE);
    const series = this.perMinute.get(key) ?? [];
    series[m] = (series[m] ?? 0) + amount;
    this.perMinute.set(key, series);
  }

  private notePeak(key: string, value: number) {
    const m = Math.floor(this.sim.now / MINUTE);
    const series = this.peakConcurrency.get(key) ?? [];
    series[m] = Math.max(series[m] ?? 0, value);
    this.peakConcurrency.set(key, series);
  }

  private transition(n = 1) {
    this.transitions += n;
    this.add("transitions", n);
  }

  /** Poisson arrivals by thinning: each arrival is queued and offered to admission control. */
  scheduleArrivals() {
    this.arrive(exponential(this.scenario.maxRate, this.u()));
  }

  private arrive(t: number) {
    if (t >= this.scenario.durationSeconds) return;
    this.sim.at(t, () => {
      if (this.u() < this.scenario.rate(t) / this.scenario.maxRate) {
        this.jobs += 1;
        this.inSystem += 1;
        this.sqsRequests += SQS_REQUESTS_PER_JOB;
        this.backlog.push({
          arrived: this.sim.now,
          deadline: Number.POSITIVE_INFINITY,
          active: 0,
          done: false,
          executing: false,
        });
        this.admit();
      }
      this.arrive(t + exponential(this.scenario.maxRate, this.u()));
    });
  }

  /**
   * Admission control: while the budget has room, the next queued job starts. A message the starter
   * deferred becomes visible again within `admissionRetrySeconds`; with a backlog of B messages offered
   * in batches, the next one is seen after about retry × batch / B.
   */
  private admit() {
    const { settings, backlog } = this;
    while (backlog.length > 0 && this.executions < settings.maxRunningJobs) {
      const job = backlog.shift() as Job;
      if (job.done) continue;
      this.executions += 1;
      job.executing = true;
      this.peakRunningJobs = Math.max(this.peakRunningJobs, this.executions);
      this.notePeak("executions", this.executions);
      this.add("admitted", 1);
      this.starterInvocations += 1 / STARTER.batch;
      const seen =
        backlog.length === 0 ? 0 : (this.u() * settings.admissionRetrySeconds * STARTER.batch) / (backlog.length + 1);
      this.sim.after(Math.min(seen, settings.admissionRetrySeconds), () => this.start(job));
    }
  }

  /** StartExecution, within its token bucket; the execution's deadline runs from here. */
  private start(job: Job) {
    this.add("startExecution", 1);
    if (!this.startExecution.take(1, this.sim.now)) return this.sim.after(1, () => this.start(job));
    job.deadline = this.sim.now + this.settings.maxJobSeconds;
    this.runJob(job);
  }

  /** The state machine: Prepare job → (Refresh prices) → (Tag) → Plan → specialists → Finalize. */
  private runJob(job: Job) {
    this.transition(FIXED_TRANSITIONS);
    this.task(job, "prepareJob", 0, () => {
      const plan = () => this.task(job, "planner", 0, () => this.runSpecialists(job));
      const tag = () => (this.u() < this.profiles.tagger.share ? this.task(job, "tagger", 0, plan) : plan());
      if (this.u() < REFRESH_SHARE) this.task(job, "refreshPrices", 0, tag);
      else tag();
    });
  }

  /** The Map: the chosen specialists, at most `mapMaxConcurrency` at once, then Finalize. */
  private runSpecialists(job: Job) {
    const finalize = () => this.task(job, "finalizeJob", 0, () => this.finish(job, true));
    const chosen = SPECIALISTS.filter((a) => this.u() < this.profiles[a].share);
    if (chosen.length === 0) return finalize();
    let next = 0;
    let left = chosen.length;
    const startOne = () => {
      const agent = chosen[next++];
      this.transition(); // Which specialist?
      this.task(job, agent, 0, () => {
        left -= 1;
        if (next < chosen.length) startOne();
        if (left === 0) finalize();
      });
    };
    for (let i = 0; i < Math.min(this.settings.mapMaxConcurrency, chosen.length); i++) startOne();
  }

  private finish(job: Job, ok: boolean) {
    if (job.done) return;
    job.done = true;
    this.inSystem -= 1;
    if (job.active > 0) this.running -= 1;
    if (ok) this.durations.push(this.sim.now - job.arrived);
    else this.timedOut += 1;
    if (job.executing) {
      this.executions -= 1;
      this.admit();
    }
  }

  private expired(job: Job): boolean {
    if (job.done) return true;
    if (this.sim.now < job.deadline) return false;
    this.finish(job, false);
    return true;
  }

  private activate(job: Job, delta: 1 | -1) {
    const before = job.active;
    job.active += delta;
    if (before === 0 && job.active > 0 && !job.done) this.running += 1;
    if (before > 0 && job.active === 0 && !job.done) this.running -= 1;
  }

  private limitOf(fn: FunctionName): number {
    return fn in BOOKKEEPING
      ? this.unreserved
      : (this.settings.reservedConcurrency[fn as AgentFunctionName] ?? this.unreserved);
  }

  /** A Task state invoking `fn`; refused or throttled invocations are retried until the job's deadline. */
  private task(job: Job, fn: FunctionName, attempt: number, next: () => void) {
    if (this.expired(job)) return;
    this.transition();
    this.add(KEYS.attempts[fn], 1);
    const isAgent = !(fn in BOOKKEEPING);
    const current = isAgent ? (this.inFlight[fn] ?? 0) : this.bookkeepingInFlight;
    if (current >= this.limitOf(fn)) {
      this.lambdaRefusals += 1;
      this.add(KEYS.refused[fn], 1);
      return this.sim.after(capacityDelay(attempt), () => this.task(job, fn, attempt + 1, next));
    }
    if (isAgent) this.inFlight[fn] = current + 1;
    else this.bookkeepingInFlight = current + 1;
    this.notePeak(isAgent ? KEYS.concurrency[fn] : "concurrency:unreserved", current + 1);
    this.lambdaRequests += 1;
    this.activate(job, 1);
    const started = this.sim.now;
    const init = this.coldStartSeconds(fn);
    const memoryMB = isAgent
      ? this.profiles[fn as AgentFunctionName].memoryMB
      : BOOKKEEPING[fn as keyof typeof BOOKKEEPING].memoryMB;
    const end = (ok: boolean) => {
      this.gbSeconds += ((this.sim.now - started) * memoryMB) / 1024;
      this.idleSince[fn].push(this.sim.now);
      if (isAgent) this.inFlight[fn] -= 1;
      else this.bookkeepingInFlight -= 1;
      this.activate(job, -1);
      if (ok) return next();
      this.sim.after(capacityDelay(attempt), () => this.task(job, fn, attempt + 1, next));
    };
    if (!isAgent) {
      const b = BOOKKEEPING[fn as keyof typeof BOOKKEEPING];
      return this.sim.after(init + b.seconds + this.dbSeconds(b.statements), () => end(true));
    }
    this.runAgent(fn as AgentFunctionName, init, end);
  }

  /** An agent's invocation after its init: the reporter's embeddings, its model calls, then its statements. */
  private runAgent(agent: AgentFunctionName, init: number, end: (ok: boolean) => void) {
    const p = this.profiles[agent];
    const calls = Math.floor(p.callsPerInvocation) + (this.u() < p.callsPerInvocation % 1 ? 1 : 0);
    const call = (i: number) => {
      if (i === calls) return this.sim.after(p.overheadSeconds + this.dbSeconds(AGENT_STATEMENTS), () => end(true));
      this.modelCall(agent, 0, (ok) => (ok ? call(i + 1) : end(false)));
    };
    const afterInit = () =>
      EMBEDDING_SPECIALISTS.includes(agent as SpecialistName)
        ? this.embed(this.reportEmbeddings(), 0, (missing) => {
            if (missing) this.marketContextMissing += 1;
            call(0);
          })
        : call(0);
    if (init > 0) this.sim.after(init, afterInit);
    else afterInit();
  }

  /** Init seconds of an invocation of `fn`: none if a warm environment is idle, else a cold start. */
  private coldStartSeconds(fn: FunctionName): number {
    const idle = this.idleSince[fn];
    while (idle.length > 0) {
      const since = idle.pop() as number;
      if (this.sim.now - since <= SERVICE_TIMES.lambdaIdleSeconds) return 0;
    }
    this.lambdaColdStarts += 1;
    return fn in BOOKKEEPING
      ? SERVICE_TIMES.lambdaColdStartSeconds.bookkeeping
      : SERVICE_TIMES.lambdaColdStartSeconds.agent;
  }

  /** One model call of an agent; `then(ok)` with false once the in-function retries are spent. */
  private modelCall(agent: AgentFunctionName, attempt: number, then: (ok: boolean) => void) {
    const { sim, tokens, requests } = this;
    const p = this.profiles[agent];
    const reservation = p.inputTokensPerCall + MAX_OUTPUT_TOKENS_PER_CALL;
    this.add("requests", 1);
    this.add("tokens", p.inputTokensPerCall + p.outputTokensPerCall + MODEL_SPEED.reasoningTokensPerCall);
    const granted =
      requests.take(1, sim.now) && (tokens.take(reservation, sim.now) || (requests.give(1, sim.now), false));
    if (!granted) {
      this.model429s += 1;
      this.add("429", 1);
      if (attempt >= this.settings.modelMaxRetries) return then(false);
      return sim.after(this.modelRetryDelay(attempt), () => this.modelCall(agent, attempt + 1, then));
    }
    const output = p.outputTokensPerCall + MODEL_SPEED.reasoningTokensPerCall;
    sim.after(modelCallSeconds(p) * this.latencyFactor(), () => {
      tokens.give(MAX_OUTPUT_TOKENS_PER_CALL - output, sim.now);
      this.inputTokens += p.inputTokensPerCall;
      this.outputTokens += output;
      then(true);
    });
  }

  /** p-retry's delay before retry `attempt` (0-based): 1 s doubling to 20 s, times a random factor in [1, 2). */
  private modelRetryDelay(attempt: number): number {
    return Math.min(1 * 2 ** attempt, 20) * (1 + this.u());
  }

  /** A model call's duration: its mean times a lognormal factor of mean 1 (the tail of real latency). */
  private latencyFactor(): number {
    const sigma = SERVICE_TIMES.modelLatencySigma;
    const z = Math.sqrt(-2 * Math.log(1 - this.u())) * Math.cos(2 * Math.PI * this.u());
    return Math.exp(sigma * z - (sigma * sigma) / 2);
  }

  /** Embedding calls of one reporter invocation: the measured mean per job, rounded at random. */
  private reportEmbeddings(): number {
    const perReport = this.embeddingCallsPerReport;
    return Math.floor(perReport) + (this.u() < perReport % 1 ? 1 : 0);
  }

  /** The reporter's embedding calls, one at a time; `then(missing)` says whether the market context is missing. */
  private embed(calls: number, attempt: number, then: (missing: boolean) => void) {
    if (calls === 0) return then(false);
    if (this.embeddingInFlight >= this.settings.embeddingMaxConcurrency) {
      this.embeddingThrottles += 1;
      if (attempt >= EMBEDDING_RETRY.retries) return then(true);
      const delay = Math.min(EMBEDDING_RETRY.minSeconds * 2 ** attempt, EMBEDDING_RETRY.maxSeconds) * (1 + this.u());
      return this.sim.after(delay, () => this.embed(calls, attempt + 1, then));
    }
    this.embeddingInFlight += 1;
    this.embeddingCalls += 1;
    let cold: number = SERVICE_TIMES.embeddingColdStartSeconds;
    while (this.embeddingIdleSince.length > 0) {
      const since = this.embeddingIdleSince.pop() as number;
      if (this.sim.now - since <= SERVICE_TIMES.embeddingIdleSeconds) {
        cold = 0;
        break;
      }
    }
    if (cold > 0) this.embeddingColdStarts += 1;
    const seconds = SERVICE_TIMES.embeddingSeconds * this.latencyFactor();
    this.embeddingSeconds += seconds;
    this.sim.after(cold + seconds, () => {
      this.embeddingInFlight -= 1;
      this.embeddingIdleSince.push(this.sim.now);
      this.embed(calls - 1, 0, then);
    });
  }

  /** Statements' time; a paused cluster resumes first (the Data API driver retries while it does). */
  private dbSeconds(n: number): number {
    this.statements += n;
    this.statementsThisSecond += n;
    this.auroraIdleSeconds = 0;
    if (this.auroraPaused) {
      this.auroraPaused = false;
      this.auroraResumes += 1;
      this.auroraResumeAt = this.sim.now + SERVICE_TIMES.auroraResumeSeconds;
    }
    return Math.max(0, this.auroraResumeAt - this.sim.now) + 0.01 * n * Math.max(1, this.auroraUtilisation);
  }

  /** Each second until arrivals stop and every job has ended: the queue's deferrals and sweeper, then Aurora. */
  scheduleEverySecond() {
    this.sim.at(0, () => this.everySecond());
  }

  private everySecond() {
    this.queueSecond();
    this.auroraSecond();
    if (this.sim.now % MINUTE === 0) this.queueByMinute.push(this.inSystem - this.running);
    if (this.sim.now < this.scenario.durationSeconds || this.inSystem > 0) this.sim.after(1, () => this.everySecond());
  }

  /** Deferred messages come back every admissionRetrySeconds: each is a receive share and a ChangeMessageVisibility. */
  private queueSecond() {
    const { backlog, settings } = this;
    const deferredNow = backlog.length / settings.admissionRetrySeconds;
    this.deferrals += deferredNow;
    this.add("deferred", deferredNow);
    this.sqsRequests += deferredNow * SQS_REQUESTS_PER_DEFERRAL;
    this.starterInvocations += deferredNow / STARTER.batch;
    while (backlog.length > 0 && this.sim.now - backlog[0].arrived > settings.pendingLimitSeconds) {
      const job = backlog.shift() as Job;
      this.sweptPending += 1;
      this.finish(job, false);
    }
  }

  /** Aurora's capacity follows the Data API load each second (it doubles at most every `acuScaleUpSecondsPerDoubling`). */
  private auroraSecond() {
    const { aurora } = PUBLISHED_LIMITS;
    const needed = this.statementsThisSecond / aurora.dataApiStatementsPerAcuSecond;
    this.auroraIdleSeconds = this.statementsThisSecond === 0 && this.inSystem === 0 ? this.auroraIdleSeconds + 1 : 0;
    this.statementsThisSecond = 0;
    if (this.auroraIdleSeconds >= SERVICE_TIMES.auroraPauseAfterSeconds) this.auroraPaused = true;
    // Idle but not paused, the cluster sits at its smallest running capacity (0.5 ACU); paused, at 0.
    const floor = this.auroraPaused ? aurora.minAcu : 0.5;
    const target = Math.min(this.settings.auroraMaxAcu, Math.max(needed * 1.25, floor));
    const acu = this.acu;
    this.acu =
      target > acu ? Math.min(target, Math.max(0.5, acu) * 2 ** (1 / aurora.acuScaleUpSecondsPerDoubling)) : target;
    this.auroraUtilisation = this.acu > 0 ? needed / this.acu : 0;
    this.acuSeconds += this.acu;
    this.add("acuDemand", needed);
    this.add("acuCapacity", this.acu);
  }

  /** The run's figures once every job has ended. */
  result(): SimulationResult {
    const sorted = [...this.durations].sort((a, b) => a - b);
    const pct = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
    const limits = limitUses(this.perMinute, this.peakConcurrency, this.settings, this.unreserved);
    const first = (kind: LimitUse["kind"]) =>
      limits
        .filter((l) => l.kind === kind && l.saturatedAt !== null)
        .sort((a, b) => a.saturatedAt! - b.saturatedAt! || b.peak - a.peak)[0]?.limit ?? null;
    return {
      scenario: this.scenario.name,
      jobs: this.jobs,
      completed: this.durations.length,
      timedOut: this.timedOut,
      p50Seconds: pct(0.5),
      p95Seconds: pct(0.95),
      maxSeconds: sorted.at(-1) ?? 0,
      queueByMinute: this.queueByMinute,
      limits,
      firstSaturated: first("published"),
      firstBackpressure: first("setting"),
      model429s: this.model429s,
      lambdaRefusals: this.lambdaRefusals,
      stateTransitions: this.transitions,
      peakRunningJobs: this.peakRunningJobs,
      deferrals: Math.round(this.deferrals),
      sweptPending: this.sweptPending,
      lambdaColdStarts: this.lambdaColdStarts,
      embeddingCalls: this.embeddingCalls,
      embeddingThrottles: this.embeddingThrottles,
      embeddingColdStarts: this.embeddingColdStarts,
      marketContextMissing: this.marketContextMissing,
      auroraResumes: this.auroraResumes,
      costPerJob: this.costPerJob(),
      events: this.sim.events,
    };
  }

  /** Costs are per completed job: what the work of the jobs that timed out cost is carried by the others. */
  private costPerJob(): CostPerJob {
    const perJob = (x: number) => x / Math.max(1, this.durations.length);
    const price = UNIT_PRICES;
    const starterGbSeconds = this.starterInvocations * STARTER.seconds * (STARTER.memoryMB / 1024);
    const gbSeconds = this.gbSeconds + starterGbSeconds;
    const lambdaRequests = this.lambdaRequests + this.starterInvocations;
    const { statements, jobs, embeddingCalls } = this;
    const cost = {
      modelTokens: perJob(
        (this.inputTokens * price.modelInputPerMillionTokens + this.outputTokens * price.modelOutputPerMillionTokens) /
          1e6,
      ),
      lambda: perJob(gbSeconds * price.lambdaArmPerGbSecond + (lambdaRequests * price.lambdaPerMillionRequests) / 1e6),
      stepFunctions: perJob((this.transitions * price.stepFunctionsPerThousandTransitions) / 1000),
      sqs: perJob((this.sqsRequests * price.sqsPerMillionRequests) / 1e6),
      auroraAcu: perJob((this.acuSeconds / 3600) * price.auroraPerAcuHour),
      // One billed I/O per statement: an assumption (small indexed rows, mostly cached reads; writes go to storage).
      auroraIo: perJob((statements * price.auroraIoPerMillionRequests) / 1e6),
      dataApi: perJob((statements * price.dataApiPerMillionRequests) / 1e6),
      cloudWatchLogs: perJob((jobs * SERVICE_TIMES.logBytesPerJob * price.cloudWatchLogsIngestPerGb) / 1e9),
      // One trace per execution (the state machine's X-Ray tracing).
      xray: perJob((jobs * price.xrayPerMillionTracesRecorded) / 1e6),
      sageMaker: perJob(this.embeddingSeconds * 3 * price.sageMakerServerlessPerGbSecond),
      s3Vectors: perJob((embeddingCalls * price.s3VectorsPerMillionQueries) / 1e6),
    };
    return { ...cost, total: Object.values(cost).reduce((a, b) => a + b, 0) };
  }
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
    ...AGENT_FUNCTIONS.filter((agent) => settings.reservedConcurrency[agent] !== undefined).map((agent) =>
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
  reservedConcurrency: Partial<Record<AgentFunctionName, number>> = {},
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
