import { createRandom } from "../retirement/random.js";
import { exponential, Simulation } from "./des.js";
import {
  CAPACITY_RETRY,
  MAP_MAX_CONCURRENCY,
  MAX_JOB_SECONDS,
  MAX_OUTPUT_TOKENS_PER_CALL,
  type ModelQuota,
} from "./limits.js";
import { TokenBucket } from "./token-bucket.js";
import {
  AGENT_NAMES,
  AGENT_PROFILES,
  type AgentName,
  type AgentProfile,
  MODEL_SPEED,
  modelCallSeconds,
  PUBLISHED_LIMITS,
  UNIT_PRICES,
} from "./workload.js";

/**
 * The deployed pipeline as a discrete-event model: SQS → Pipe → StartExecution (token bucket) → Prepare
 * job → (Tag) → Plan → Map of specialists → Finalize, each agent a Lambda function with reserved
 * concurrency (refused invocations wait out the state machine's jittered Retry), each model call taking
 * its reservation from Bedrock's token and request buckets (429s retried in the function with p-retry's
 * backoff, then handed back to Step Functions as ThrottledError), Aurora's ACUs following the Data API load.
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
  reservedConcurrency: Record<AgentName, number>;
  mapMaxConcurrency: number;
  maxJobSeconds: number;
  auroraMaxAcu: number;
  /** In-function retries of a throttled model call (ALEX_MODEL_MAX_RETRIES). */
  modelMaxRetries: number;
}

/** Bookkeeping tasks outside the agents: run time and Data API statements (measured order of magnitude). */
const BOOKKEEPING = {
  prepareJob: { seconds: 0.15, statements: 4, memoryMB: 256 },
  finalizeJob: { seconds: 0.15, statements: 4, memoryMB: 256 },
} as const;
/** Data API statements per agent invocation (reads of the job and snapshot, writes of the result). */
const AGENT_STATEMENTS = 4;
/** Transitions outside the tasks: Job claimed?, Instruments missing?, Run specialists, Quality gate, Analysis complete. */
const FIXED_TRANSITIONS = 5;
/** SQS requests per job: send, receive (the Pipe), delete. */
const SQS_REQUESTS_PER_JOB = 3;

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
  costPerJob: CostPerJob;
  events: number;
}

export interface CostPerJob {
  modelTokens: number;
  lambda: number;
  stepFunctions: number;
  aurora: number;
  dataApi: number;
  sqsAndPipes: number;
  total: number;
}

interface Job {
  arrived: number;
  deadline: number;
  active: number;
  done: boolean;
}

type FunctionName = AgentName | keyof typeof BOOKKEEPING;

const FUNCTIONS: FunctionName[] = [...AGENT_NAMES, "prepareJob", "finalizeJob"];
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
    AGENT_NAMES.reduce((sum, a) => sum + settings.reservedConcurrency[a], 0);
  const limitOf = (fn: FunctionName) =>
    fn in BOOKKEEPING ? unreserved : settings.reservedConcurrency[fn as AgentName];
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

  /** The capacity Retry: FULL jitter over the capped exponential interval. */
  const capacityDelay = (attempt: number) =>
    u() *
    Math.min(CAPACITY_RETRY.intervalSeconds * CAPACITY_RETRY.backoffRate ** attempt, CAPACITY_RETRY.maxDelaySeconds);
  /** p-retry's delay before retry `attempt` (0-based): 1 s doubling to 20 s, times a random factor in [1, 2). */
  const modelRetryDelay = (attempt: number) => Math.min(1 * 2 ** attempt, 20) * (1 + u());

  const dbSeconds = (n: number) => {
    statements += n;
    statementsThisSecond += n;
    return 0.01 * n * Math.max(1, auroraUtilisation);
  };

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
    sim.after(modelCallSeconds(p), () => {
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
    const memoryMB = isAgent
      ? profiles[fn as AgentName].memoryMB
      : BOOKKEEPING[fn as keyof typeof BOOKKEEPING].memoryMB;
    const end = (ok: boolean) => {
      gbSeconds += ((sim.now - started) * memoryMB) / 1024;
      if (isAgent) inFlight[fn] -= 1;
      else bookkeepingInFlight -= 1;
      activate(job, -1);
      if (ok) return next();
      sim.after(capacityDelay(attempt), () => task(job, fn, attempt + 1, next));
    };
    if (!isAgent) {
      const b = BOOKKEEPING[fn as keyof typeof BOOKKEEPING];
      return sim.after(b.seconds + dbSeconds(b.statements), () => end(true));
    }
    const p = profiles[fn as AgentName];
    const call = (i: number) => {
      if (i === p.callsPerInvocation)
        return sim.after(p.overheadSeconds + dbSeconds(AGENT_STATEMENTS), () => end(true));
      modelCall(fn as AgentName, 0, (ok) => (ok ? call(i + 1) : end(false)));
    };
    call(0);
  };

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
      if (u() < profiles.tagger.share) task(job, "tagger", 0, plan);
      else plan();
    });
  };

  const start = (job: Job) => {
    add("startExecution", 1);
    if (!startExecution.take(1, sim.now)) return sim.after(1, () => start(job));
    runJob(job);
  };

  // Poisson arrivals by thinning.
  let jobs = 0;
  const arrive = (t: number) => {
    if (t >= scenario.durationSeconds) return;
    sim.at(t, () => {
      if (u() < scenario.rate(t) / scenario.maxRate) {
        jobs += 1;
        inSystem += 1;
        start({ arrived: sim.now, deadline: sim.now + settings.maxJobSeconds, active: 0, done: false });
      }
      arrive(t + exponential(scenario.maxRate, u()));
    });
  };
  arrive(exponential(scenario.maxRate, u()));

  // Aurora's capacity follows the Data API load each second (it doubles at most every `acuScaleUpSecondsPerDoubling`).
  const { aurora } = PUBLISHED_LIMITS;
  const tick = () => {
    const needed = statementsThisSecond / aurora.dataApiStatementsPerAcuSecond;
    statementsThisSecond = 0;
    const target = Math.min(settings.auroraMaxAcu, Math.max(needed * 1.25, inSystem > 0 ? 0.5 : aurora.minAcu));
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
    aurora: perJob((acuSeconds / 3600) * price.auroraPerAcuHour),
    dataApi: perJob((statements * price.dataApiPerMillionRequests) / 1e6),
    sqsAndPipes: perJob(
      (jobs * (SQS_REQUESTS_PER_JOB * price.sqsPerMillionRequests + price.pipesPerMillionRequests)) / 1e6,
    ),
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
    ...AGENT_NAMES.map((agent) =>
      use(
        `Lambda reserved concurrency: ${agent} (${settings.reservedConcurrency[agent]})`,
        "setting",
        per(peaks.get(`concurrency:${agent}`) ?? [], settings.reservedConcurrency[agent]),
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

/** The settings the stack deploys, for a quota and Aurora maximum. */
export function deployedSettings(
  quota: ModelQuota,
  reservedConcurrency: Record<AgentName, number>,
  overrides: Partial<Settings> = {},
): Settings {
  return {
    quota,
    reservedConcurrency,
    mapMaxConcurrency: MAP_MAX_CONCURRENCY,
    maxJobSeconds: MAX_JOB_SECONDS,
    auroraMaxAcu: PUBLISHED_LIMITS.aurora.maxAcu,
    /** ALEX_MODEL_MAX_RETRIES' default (lib/config.ts). */
    modelMaxRetries: 4,
    ...overrides,
  };
}
