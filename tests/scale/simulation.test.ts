import { describe, expect, it } from "vitest";
import { ADMISSION_RETRY_SECONDS } from "../../lib/pipeline/admission.js";
import { EXECUTION_TIMEOUT_SECONDS, SWEEP_GRACE_SECONDS } from "../../lib/pipeline/tasks.js";
import { createRandom } from "../../lib/random/random.js";
import { AGENT_FUNCTIONS } from "../../lib/roster.js";
import { erlangCWait, exponential, FifoResource, Simulation } from "../../lib/scale/des.js";
import {
  CAPACITY_RETRY,
  capacityRetryTotalSeconds,
  DEFAULT_MODEL_QUOTA,
  MAX_JOB_SECONDS,
  perJob,
  QUOTA_HEADROOM,
  scaleLimits,
} from "../../lib/scale/limits.js";
import { deployedSettings, type Scenario, simulatePipeline } from "../../lib/scale/pipeline-model.js";
import { TokenBucket } from "../../lib/scale/token-bucket.js";
import { AGENT_PROFILES, invocationSeconds } from "../../lib/scale/workload.js";

/** Simulates an M/M/c queue with the simulation core; returns the mean wait in queue. */
function mmcMeanWait(lambda: number, mu: number, c: number, customers: number, seed: number): number {
  const sim = new Simulation();
  const random = createRandom(seed);
  const servers = new FifoResource(c);
  let waited = 0;
  let arrivals = 0;
  const arrive = () => {
    if (arrivals++ >= customers) return;
    const arrivedAt = sim.now;
    servers.acquire(() => {
      waited += sim.now - arrivedAt;
      sim.after(exponential(mu, random.uniform()), () => servers.release());
    });
    sim.after(exponential(lambda, random.uniform()), arrive);
  };
  sim.at(0, arrive);
  sim.run();
  return waited / customers;
}

describe("the simulation core", () => {
  it.each([
    { lambda: 0.8, mu: 0.25, c: 4 },
    { lambda: 9, mu: 1, c: 10 },
    { lambda: 0.5, mu: 1, c: 1 },
  ])("matches Erlang C's mean wait for M/M/$c (λ $lambda, μ $mu)", ({ lambda, mu, c }) => {
    const simulated = mmcMeanWait(lambda, mu, c, 200_000, 7);
    expect(simulated / erlangCWait(lambda, mu, c)).toBeGreaterThan(0.9);
    expect(simulated / erlangCWait(lambda, mu, c)).toBeLessThan(1.1);
  });

  it("gives the M/M/1 closed form ρ / (μ − λ) from Erlang C", () => {
    expect(erlangCWait(0.5, 1, 1)).toBeCloseTo(0.5 / (1 - 0.5), 10);
    expect(erlangCWait(1, 1, 1)).toBe(Number.POSITIVE_INFINITY);
  });

  it("runs events in time order, ties in the order they were scheduled", () => {
    const sim = new Simulation();
    const seen: string[] = [];
    sim.at(2, () => seen.push("b"));
    sim.at(1, () => seen.push("a"));
    sim.at(2, () => seen.push("c"));
    sim.at(1, () => sim.after(0, () => seen.push("a2")));
    sim.run();
    expect(seen).toEqual(["a", "a2", "b", "c"]);
    expect(sim.now).toBe(2);
  });
});

describe("the token bucket", () => {
  it("grants up to its capacity at once, refills at capacity per period, and takes back what was unused", () => {
    const bucket = new TokenBucket(100, 60, 0);
    expect(bucket.take(80, 0)).toBe(true);
    expect(bucket.take(30, 0)).toBe(false);
    expect(bucket.take(30, 6)).toBe(true); // 20 left + 10 refilled
    expect(bucket.take(1, 6)).toBe(false);
    bucket.give(50, 6);
    expect(bucket.take(50, 6)).toBe(true);
    expect(bucket.take(100, 600)).toBe(true); // never above capacity
    expect(bucket.take(1, 600)).toBe(false);
  });
});

describe("limits sized from the quota", () => {
  const limits = scaleLimits();

  it("sizes each agent's reserved concurrency by Little's law at the rate the quota sustains", () => {
    const rate = (DEFAULT_MODEL_QUOTA.tokensPerMinute * QUOTA_HEADROOM) / perJob().tokens;
    expect(limits.boundBy).toBe("tokens");
    expect(limits.jobsPerMinute).toBeCloseTo(rate, 6);
    for (const agent of AGENT_FUNCTIONS) {
      const p = AGENT_PROFILES[agent];
      expect(limits.reservedConcurrency[agent], agent).toBe(
        Math.max(1, Math.ceil((rate / 60) * p.share * invocationSeconds(p))),
      );
    }
  });

  it("grows with the quota and is bounded by the request quota when that is the scarcer one", () => {
    const doubled = scaleLimits({
      tokensPerMinute: 2 * DEFAULT_MODEL_QUOTA.tokensPerMinute,
      requestsPerMinute: 2 * DEFAULT_MODEL_QUOTA.requestsPerMinute,
    });
    expect(doubled.reservedConcurrency.reporter).toBeGreaterThan(limits.reservedConcurrency.reporter);
    const fewRequests = scaleLimits({ tokensPerMinute: DEFAULT_MODEL_QUOTA.tokensPerMinute, requestsPerMinute: 20 });
    expect(fewRequests.boundBy).toBe("requests");
    expect(fewRequests.jobsPerMinute).toBeCloseTo((20 * QUOTA_HEADROOM) / perJob().calls, 6);
  });

  it("lets a job wait out throttling until its timeout rather than fail earlier, on every run", () => {
    // No jitter: every run waits exactly the sum of the capped intervals, and that outlasts the job's budget.
    expect(CAPACITY_RETRY.jitter).toBe("NONE");
    expect(capacityRetryTotalSeconds()).toBeGreaterThanOrEqual(MAX_JOB_SECONDS);
    // One attempt fewer would not: the attempts are the fewest that outlast it.
    expect(capacityRetryTotalSeconds({ ...CAPACITY_RETRY, maxAttempts: CAPACITY_RETRY.maxAttempts - 1 })).toBeLessThan(
      MAX_JOB_SECONDS,
    );
    expect(CAPACITY_RETRY.errors).toEqual(["Lambda.TooManyRequestsException", "ThrottledError"]);
  });
});

describe("the pipeline model", () => {
  const steady = (rate: number, seed = 3): Scenario => ({
    name: "steady",
    durationSeconds: 600,
    rate: () => rate,
    maxRate: rate,
    seed,
  });

  it("is reproducible: the same seed gives the same result", () => {
    const settings = deployedSettings(DEFAULT_MODEL_QUOTA, scaleLimits().reservedConcurrency);
    expect(simulatePipeline(steady(0.2), settings)).toEqual(simulatePipeline(steady(0.2), settings));
  });

  it("completes every job near its unthrottled time when the load fits the quota", () => {
    const limits = scaleLimits();
    const result = simulatePipeline(
      steady((limits.jobsPerMinute / 60) * 0.3),
      deployedSettings(DEFAULT_MODEL_QUOTA, limits.reservedConcurrency),
    );
    const unthrottled = invocationSeconds(AGENT_PROFILES.planner) + invocationSeconds(AGENT_PROFILES.reporter);
    expect(result.timedOut).toBe(0);
    expect(result.completed).toBe(result.jobs);
    expect(result.model429s).toBe(0);
    expect(result.p50Seconds).toBeGreaterThan(unthrottled * 0.8);
    expect(result.p50Seconds).toBeLessThan(unthrottled * 2);
    expect(result.firstSaturated).toBeNull();
  });

  it("without admission control, backs up at the reserved concurrency when the load exceeds it, and fails late jobs at the timeout", () => {
    const limits = scaleLimits();
    const settings = deployedSettings(DEFAULT_MODEL_QUOTA, limits.reservedConcurrency, {
      maxJobSeconds: 300,
      maxRunningJobs: Number.POSITIVE_INFINITY,
    });
    const result = simulatePipeline(steady((limits.jobsPerMinute / 60) * 3), settings);
    expect(result.firstBackpressure).toMatch(/^Lambda reserved concurrency: /);
    const peak = (name: string) => result.limits.find((l) => l.limit.startsWith(name))!.peak;
    expect(peak("Bedrock tokens per minute")).toBeGreaterThan(0.7);
    for (const other of ["Step Functions", "Lambda unreserved", "Aurora"]) expect(peak(other), other).toBeLessThan(0.5);
    expect(result.timedOut).toBeGreaterThan(0);
    expect(result.maxSeconds).toBeLessThanOrEqual(300);
    expect(Math.max(...result.queueByMinute)).toBeGreaterThan(0);
  });

  it("sends the model's 429s back as waiting when reserved concurrency exceeds what the quota grants", () => {
    const limits = scaleLimits();
    const quota = {
      tokensPerMinute: DEFAULT_MODEL_QUOTA.tokensPerMinute / 8,
      requestsPerMinute: DEFAULT_MODEL_QUOTA.requestsPerMinute,
    };
    const result = simulatePipeline(
      steady(limits.jobsPerMinute / 60 / 8),
      deployedSettings(quota, limits.reservedConcurrency, { maxRunningJobs: Number.POSITIVE_INFINITY }),
    );
    expect(result.model429s).toBeGreaterThan(0);
    expect(result.completed).toBe(result.jobs);
  });

  it("keeps a 3× burst waiting in the queue, not in executions: every job completes, none times out", () => {
    const limits = scaleLimits();
    const settings = deployedSettings(DEFAULT_MODEL_QUOTA);
    expect(settings.reservedConcurrency).toEqual({});
    expect(settings.maxRunningJobs).toBe(limits.maxRunningJobs);
    expect(settings.admissionRetrySeconds).toBe(ADMISSION_RETRY_SECONDS);
    expect(settings.pendingLimitSeconds).toBe(EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS);
    const result = simulatePipeline(steady((limits.jobsPerMinute / 60) * 3), settings);
    expect(result.completed).toBe(result.jobs);
    expect(result.timedOut).toBe(0);
    expect(result.peakRunningJobs).toBeLessThanOrEqual(limits.maxRunningJobs);
    expect(result.deferrals).toBeGreaterThan(0);
    expect(result.firstBackpressure).toMatch(/^Admission control: running jobs/);
    // The embedding endpoint is sized to the running jobs: the app's own calls never throttle it.
    expect(result.embeddingThrottles).toBe(0);
    expect(result.marketContextMissing).toBe(0);
    expect(result.costPerJob.sageMaker).toBeGreaterThan(0);
    expect(result.costPerJob.xray).toBeCloseTo(5 / 1e6, 9);
  });

  it("throttles an undersized embedding endpoint, retries, and counts reports left without market context", () => {
    const settings = deployedSettings(DEFAULT_MODEL_QUOTA, {}, { embeddingMaxConcurrency: 1 });
    const result = simulatePipeline(steady((scaleLimits().jobsPerMinute / 60) * 2), settings);
    expect(result.embeddingThrottles).toBeGreaterThan(0);
    expect(result.completed).toBe(result.jobs);
  });
});
