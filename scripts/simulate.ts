/**
 * `npm run simulate`: the discrete-event model of the deployed pipeline (lib/scale/pipeline-model.ts)
 * for 10,000 jobs an hour (Poisson) and for a 5× burst, with the limits the stack deploys; then the
 * smallest quota (and Aurora maximum) whose sized settings keep p95 under the target. Inputs and their
 * sources: lib/scale/workload.ts.
 */
import {
  DEFAULT_MODEL_QUOTA,
  MAX_JOB_SECONDS,
  type ModelQuota,
  perJob,
  QUOTA_HEADROOM,
  scaleLimits,
} from "../lib/scale/limits.js";
import {
  deployedSettings,
  type Scenario,
  type SimulationResult,
  simulatePipeline,
} from "../lib/scale/pipeline-model.js";
import { MEASURED_ON, MODEL_SPEED, PUBLISHED_LIMITS, UNIT_PRICES } from "../lib/scale/workload.js";

const TARGET_P95_SECONDS = 60;
const HOUR = 3600;
const BASE = 10_000 / HOUR;

const scenarios: Scenario[] = [
  { name: "10,000 jobs/hour, Poisson", durationSeconds: HOUR, rate: () => BASE, maxRate: BASE, seed: 15 },
  {
    name: "10,000 jobs/hour with a 5× burst (minutes 20–30 at 50,000/hour)",
    durationSeconds: HOUR,
    rate: (t) => (t >= 1200 && t < 1800 ? 5 * BASE : BASE),
    maxRate: 5 * BASE,
    seed: 16,
  },
];

const scaled = (k: number): ModelQuota => ({
  tokensPerMinute: Math.round(DEFAULT_MODEL_QUOTA.tokensPerMinute * k),
  requestsPerMinute: Math.round(DEFAULT_MODEL_QUOTA.requestsPerMinute * k),
});
const run = (scenario: Scenario, quota: ModelQuota, auroraMaxAcu: number = PUBLISHED_LIMITS.aurora.maxAcu) =>
  simulatePipeline(scenario, deployedSettings(quota, scaleLimits(quota).reservedConcurrency, { auroraMaxAcu }));
const meetsTarget = (r: SimulationResult) => r.timedOut === 0 && r.p95Seconds <= TARGET_P95_SECONDS;

const started = performance.now();
const job = perJob();
const lines: string[] = [
  `Inputs: per-agent calls and tokens measured ${MEASURED_ON} (npm run load); model ${MODEL_SPEED.outputTokensPerSecond} tokens/s after ${MODEL_SPEED.firstTokenSeconds} s (${MODEL_SPEED.source}).`,
  `An average job: ${job.calls.toFixed(2)} model calls, ${job.tokens.toFixed(0)} tokens. Deployed quota ${DEFAULT_MODEL_QUOTA.tokensPerMinute} tokens/min, ${DEFAULT_MODEL_QUOTA.requestsPerMinute} requests/min; job timeout ${MAX_JOB_SECONDS} s; target p95 ${TARGET_P95_SECONDS} s.`,
  `Unit prices (USD, us-east-1, read ${UNIT_PRICES.date}): model $${UNIT_PRICES.modelInputPerMillionTokens}/$${UNIT_PRICES.modelOutputPerMillionTokens} per 1M input/output tokens; Lambda Arm $${UNIT_PRICES.lambdaArmPerGbSecond}/GB-s + $${UNIT_PRICES.lambdaPerMillionRequests}/1M requests; Step Functions $${UNIT_PRICES.stepFunctionsPerThousandTransitions}/1,000 transitions; Aurora $${UNIT_PRICES.auroraPerAcuHour}/ACU-hour; Data API $${UNIT_PRICES.dataApiPerMillionRequests}/1M; SQS $${UNIT_PRICES.sqsPerMillionRequests}/1M; Pipes $${UNIT_PRICES.pipesPerMillionRequests}/1M.`,
];

for (const scenario of scenarios) {
  const deployed = run(scenario, DEFAULT_MODEL_QUOTA);
  lines.push("", `## ${scenario.name}`, "", ...describe(deployed, "as deployed"));
  let found: { k: number; acu: number; result: SimulationResult } | undefined;
  let acu = PUBLISHED_LIMITS.aurora.maxAcu as number;
  // Start where the hour's mean arrival rate just fits the quota (less cannot keep up), then go up.
  const meanRate = arrivalsPerMinute(scenario);
  const needed = (meanRate * job.tokens) / QUOTA_HEADROOM / DEFAULT_MODEL_QUOTA.tokensPerMinute;
  for (const k of [2, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64].filter((k) => k >= needed)) {
    let result = run(scenario, scaled(k), acu);
    while (result.firstSaturated?.startsWith("Aurora") && acu < 64) {
      acu *= 2;
      result = run(scenario, scaled(k), acu);
    }
    if (meetsTarget(result)) {
      found = { k, acu, result };
      break;
    }
  }
  if (!found) {
    lines.push("", `No setting tried keeps p95 under ${TARGET_P95_SECONDS} s.`);
    continue;
  }
  const quota = scaled(found.k);
  const limits = scaleLimits(quota);
  lines.push(
    "",
    `Settings that keep p95 under ${TARGET_P95_SECONDS} s: quota ${quota.tokensPerMinute} tokens/min and ${quota.requestsPerMinute} requests/min (${found.k}× the deployed), ` +
      `reserved concurrency ${Object.entries(limits.reservedConcurrency)
        .map(([a, c]) => `${a} ${c}`)
        .join(", ")}, Map MaxConcurrency 3, Aurora max ${found.acu} ACU:`,
    "",
    ...describe(found.result, `${found.k}× quota`),
  );
}
lines.push("", `(${((performance.now() - started) / 1000).toFixed(1)} s)`);
console.log(lines.join("\n"));

/** Mean arrivals per minute over the scenario. */
function arrivalsPerMinute(scenario: Scenario): number {
  let total = 0;
  for (let t = 0; t < scenario.durationSeconds; t += 1) total += scenario.rate(t);
  return (total / scenario.durationSeconds) * 60;
}

function describe(r: SimulationResult, label: string): string[] {
  const c = r.costPerJob;
  const usd = (v: number) => `$${v.toFixed(6)}`;
  const saturated = r.limits.filter((l) => l.saturatedAt !== null).sort((a, b) => a.saturatedAt! - b.saturatedAt!);
  return [
    `| ${label} | value |`,
    "|---|---|",
    `| jobs arrived / completed / timed out | ${r.jobs} / ${r.completed} / ${r.timedOut} |`,
    `| job time p50 / p95 / max | ${r.p50Seconds.toFixed(0)} s / ${r.p95Seconds.toFixed(0)} s / ${r.maxSeconds.toFixed(0)} s |`,
    `| first published limit to saturate | ${r.firstSaturated ?? "none"} |`,
    `| backpressure engaged first | ${r.firstBackpressure ?? "none"} |`,
    `| saturated (minute) | ${saturated.map((l) => `${l.limit} (${l.saturatedAt! / 60})`).join("; ") || "none"} |`,
    `| peak use | ${r.limits
      .filter((l) => l.kind === "published")
      .map((l) => `${l.limit} ${(l.peak * 100).toFixed(0)}%`)
      .join("; ")} |`,
    `| jobs waiting, every 5 minutes | ${r.queueByMinute.filter((_, i) => i % 5 === 0).join(" ")} |`,
    `| model 429s / Lambda refusals / state transitions | ${r.model429s} / ${r.lambdaRefusals} / ${r.stateTransitions} |`,
    `| cost per completed job | model ${usd(c.modelTokens)}, Lambda ${usd(c.lambda)}, Step Functions ${usd(c.stepFunctions)}, Aurora ${usd(c.aurora)}, Data API ${usd(c.dataApi)}, SQS + Pipes ${usd(c.sqsAndPipes)}; total ${usd(c.total)} |`,
  ];
}
