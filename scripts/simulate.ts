/**
 * `npm run simulate`: the discrete-event model of the deployed pipeline (lib/scale/pipeline-model.ts)
 * for 10,000 jobs an hour (Poisson) and for a 5× burst, with the limits the stack deploys; then the
 * smallest quota (and Aurora maximum) whose sized settings keep p95 under the target, the same with a
 * real model's longer answers, and the monthly bill at 1,000 / 10,000 / 100,000 jobs a day. Inputs and
 * their sources: lib/scale/workload.ts (measured by `npm run load`, lib/scale/measured-workload.json).
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
  type CostPerJob,
  deployedSettings,
  type Scenario,
  type SimulationResult,
  simulatePipeline,
} from "../lib/scale/pipeline-model.js";
import {
  AGENT_PROFILES,
  LONGER_ANSWERS_FACTOR,
  MEASURED,
  MODEL_SPEED,
  PUBLISHED_LIMITS,
  UNIT_PRICES,
  withLongerAnswers,
} from "../lib/scale/workload.js";

const TARGET_P95_SECONDS = 60;
const HOUR = 3600;
const BASE = 10_000 / HOUR;
const DAYS_PER_MONTH = 30;

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
const run = (
  scenario: Scenario,
  quota: ModelQuota,
  auroraMaxAcu: number = PUBLISHED_LIMITS.aurora.maxAcu,
  profiles = AGENT_PROFILES,
) => simulatePipeline(scenario, deployedSettings(quota, {}, { auroraMaxAcu }), profiles);
const meetsTarget = (r: SimulationResult) => r.timedOut === 0 && r.p95Seconds <= TARGET_P95_SECONDS;

/** The smallest multiple of the default quota (and Aurora maximum) that keeps p95 under the target. */
function sizeFor(scenario: Scenario, profiles = AGENT_PROFILES) {
  const tokens = perJob(profiles).tokens;
  const needed = (arrivalsPerMinute(scenario) * tokens) / QUOTA_HEADROOM / DEFAULT_MODEL_QUOTA.tokensPerMinute;
  let acu = PUBLISHED_LIMITS.aurora.maxAcu as number;
  for (const k of [1, 2, 3, 4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 96].filter((k) => k >= needed)) {
    let result = run(scenario, scaled(k), acu, profiles);
    while (result.firstSaturated?.startsWith("Aurora") && acu < 64) {
      acu *= 2;
      result = run(scenario, scaled(k), acu, profiles);
    }
    if (meetsTarget(result)) return { k, acu, result };
  }
  return undefined;
}

const COST_LINES: [keyof CostPerJob, string][] = [
  ["modelTokens", "Bedrock (model tokens)"],
  ["lambda", "Lambda (GB-s + requests, job starter included)"],
  ["stepFunctions", "Step Functions (transitions)"],
  ["sqs", "SQS (sends, receives, deferrals, deletes)"],
  ["auroraAcu", "Aurora ACU-hours"],
  ["auroraIo", "Aurora I/O"],
  ["dataApi", "RDS Data API requests"],
  ["cloudWatchLogs", "CloudWatch Logs ingestion"],
  ["xray", "X-Ray traces"],
  ["sageMaker", "SageMaker serverless (embedding)"],
  ["s3Vectors", "S3 Vectors queries"],
];

const started = performance.now();
const job = perJob();
const longer = withLongerAnswers(AGENT_PROFILES, LONGER_ANSWERS_FACTOR);
const lines: string[] = [
  `Inputs: calls, tokens and embedding calls measured ${MEASURED.measuredOn} (\`${MEASURED.command}\`, ${MEASURED.jobs} jobs); model ${MODEL_SPEED.outputTokensPerSecond} tokens/s after ${MODEL_SPEED.firstTokenSeconds} s (${MODEL_SPEED.source}), lognormal spread; service times: SERVICE_TIMES in lib/scale/workload.ts.`,
  `An average job: ${job.calls.toFixed(2)} model calls, ${job.tokens.toFixed(0)} tokens (${perJob(longer).tokens.toFixed(0)} with answers ${LONGER_ANSWERS_FACTOR}× longer). Deployed quota ${DEFAULT_MODEL_QUOTA.tokensPerMinute} tokens/min, ${DEFAULT_MODEL_QUOTA.requestsPerMinute} requests/min: ${scaleLimits().jobsPerMinute.toFixed(1)} jobs/min, at most ${scaleLimits().maxRunningJobs} running; job timeout ${MAX_JOB_SECONDS} s; target p95 ${TARGET_P95_SECONDS} s.`,
  `Unit prices (USD, us-east-1, read ${UNIT_PRICES.date}; sources in lib/scale/workload.ts): model $${UNIT_PRICES.modelInputPerMillionTokens}/$${UNIT_PRICES.modelOutputPerMillionTokens} per 1M input/output tokens; Lambda Arm $${UNIT_PRICES.lambdaArmPerGbSecond}/GB-s + $${UNIT_PRICES.lambdaPerMillionRequests}/1M; Step Functions $${UNIT_PRICES.stepFunctionsPerThousandTransitions}/1,000 transitions; SQS $${UNIT_PRICES.sqsPerMillionRequests}/1M; Aurora $${UNIT_PRICES.auroraPerAcuHour}/ACU-hour, $${UNIT_PRICES.auroraIoPerMillionRequests}/1M I/O, $${UNIT_PRICES.auroraStoragePerGbMonth}/GB-month; Data API $${UNIT_PRICES.dataApiPerMillionRequests}/1M; CloudWatch Logs $${UNIT_PRICES.cloudWatchLogsIngestPerGb}/GB; X-Ray $${UNIT_PRICES.xrayPerMillionTracesRecorded}/1M traces; SageMaker serverless $${UNIT_PRICES.sageMakerServerlessPerGbSecond}/GB-s; S3 Vectors $${UNIT_PRICES.s3VectorsPerMillionQueries}/1M queries.`,
];

for (const scenario of scenarios) {
  lines.push("", `## ${scenario.name}`, "", ...describe(run(scenario, DEFAULT_MODEL_QUOTA), "as deployed"));
  const found = sizeFor(scenario);
  if (!found) {
    lines.push("", `No setting tried keeps p95 under ${TARGET_P95_SECONDS} s.`);
    continue;
  }
  const quota = scaled(found.k);
  lines.push(
    "",
    `Settings that keep p95 under ${TARGET_P95_SECONDS} s: quota ${quota.tokensPerMinute} tokens/min and ${quota.requestsPerMinute} requests/min (${found.k}× the deployed), at most ${scaleLimits(quota).maxRunningJobs} running jobs, embedding MaxConcurrency ${Math.min(200, scaleLimits(quota).maxRunningJobs)}, Aurora max ${found.acu} ACU:`,
    "",
    ...describe(found.result, `${found.k}× quota`),
  );
  const sensitivity = sizeFor(scenario, longer);
  lines.push(
    "",
    sensitivity
      ? `With answers ${LONGER_ANSWERS_FACTOR}× longer (a real model): ${sensitivity.k}× the quota, Aurora max ${sensitivity.acu} ACU — p50 ${sensitivity.result.p50Seconds.toFixed(0)} s, p95 ${sensitivity.result.p95Seconds.toFixed(0)} s, $${sensitivity.result.costPerJob.total.toFixed(5)} a job.`
      : `With answers ${LONGER_ANSWERS_FACTOR}× longer: no setting tried keeps p95 under ${TARGET_P95_SECONDS} s.`,
  );
}

lines.push("", "## A month at 1,000 / 10,000 / 100,000 jobs a day", "", ...monthly([1_000, 10_000, 100_000]));
lines.push("", `(${((performance.now() - started) / 1000).toFixed(1)} s)`);
console.log(lines.join("\n"));

/** Mean arrivals per minute over the scenario. */
function arrivalsPerMinute(scenario: Scenario): number {
  let total = 0;
  for (let t = 0; t < scenario.durationSeconds; t += 1) total += scenario.rate(t);
  return (total / scenario.durationSeconds) * 60;
}

/**
 * The monthly bill at each daily volume: an hour of steady Poisson arrivals at the day's mean rate,
 * with the smallest quota that keeps p95 under the target, its cost per job × the month's jobs; plus the lines that do not
 * scale with jobs (storage, alarms, secrets). Arrivals spread evenly over the day: a peaked day needs
 * the quota of its peak hour, not of its mean.
 */
function monthly(perDay: number[]): string[] {
  const columns = perDay.map((daily) => {
    const rate = daily / 86_400;
    const scenario: Scenario = {
      name: `${daily}/day`,
      durationSeconds: HOUR,
      rate: () => rate,
      maxRate: rate,
      seed: 21,
    };
    const found = sizeFor(scenario);
    if (!found) throw new Error(`No quota tried keeps p95 under ${TARGET_P95_SECONDS} s at ${daily} jobs a day`);
    const { k, result } = found;
    const jobs = daily * DAYS_PER_MONTH;
    const variable = Object.fromEntries(COST_LINES.map(([key]) => [key, result.costPerJob[key] * jobs]));
    // Storage: each job's rows (snapshot, payloads, traces) ~60 KB kept; logs kept 30 days; the vector index ~2 MB.
    const fixed = {
      "Aurora storage (month's jobs, ~60 KB each)": ((jobs * 60_000) / 1e9) * UNIT_PRICES.auroraStoragePerGbMonth,
      "CloudWatch Logs storage (30 days)": ((jobs * 24_000) / 1e9) * UNIT_PRICES.cloudWatchLogsStoragePerGbMonth,
      "S3 Vectors storage (~2 MB index)": 0.002 * UNIT_PRICES.s3VectorsStoragePerGbMonth,
      "CloudWatch alarms (5)": 5 * UNIT_PRICES.cloudWatchAlarmPerMonth,
      "Secrets Manager (3 secrets + Polygon key, $0.40 each)": 4 * 0.4,
    };
    return { daily, k, result, variable, fixed };
  });
  const usd = (v: number) => `$${v < 10 ? v.toFixed(2) : v.toFixed(0)}`;
  const header = `| line | ${columns.map((c) => `${c.daily.toLocaleString("en-US")} jobs/day`).join(" | ")} |`;
  const rows = [
    header,
    `|---|${columns.map(() => "---").join("|")}|`,
    `| quota (× ${DEFAULT_MODEL_QUOTA.tokensPerMinute} tokens/min) | ${columns.map((c) => `${c.k}×`).join(" | ")} |`,
    `| job time p50 / p95 | ${columns.map((c) => `${c.result.p50Seconds.toFixed(0)} s / ${c.result.p95Seconds.toFixed(0)} s`).join(" | ")} |`,
    ...COST_LINES.map(([key, label]) => `| ${label} | ${columns.map((c) => usd(c.variable[key])).join(" | ")} |`),
    ...Object.keys(columns[0].fixed).map(
      (label) => `| ${label} | ${columns.map((c) => usd(c.fixed[label as keyof typeof c.fixed])).join(" | ")} |`,
    ),
    `| **total a month** | ${columns
      .map(
        (c) =>
          `**${usd(Object.values(c.variable).reduce((a, b) => a + b, 0) + Object.values(c.fixed).reduce((a, b) => a + b, 0))}**`,
      )
      .join(" | ")} |`,
    `| per job | ${columns
      .map(
        (c) =>
          `$${((Object.values(c.variable).reduce((a, b) => a + b, 0) + Object.values(c.fixed).reduce((a, b) => a + b, 0)) / (c.daily * DAYS_PER_MONTH)).toFixed(5)}`,
      )
      .join(" | ")} |`,
  ];
  return rows;
}

function describe(r: SimulationResult, label: string): string[] {
  const c = r.costPerJob;
  const usd = (v: number) => `$${v.toFixed(6)}`;
  const saturated = r.limits
    .filter((l) => l.saturatedAt !== null)
    .sort((a, b) => (a.saturatedAt ?? 0) - (b.saturatedAt ?? 0));
  return [
    `| ${label} | value |`,
    "|---|---|",
    `| jobs arrived / completed / failed (timed out or swept while queued) | ${r.jobs} / ${r.completed} / ${r.timedOut} (${r.sweptPending} swept) |`,
    `| job time p50 / p95 / max (queue wait included) | ${r.p50Seconds.toFixed(0)} s / ${r.p95Seconds.toFixed(0)} s / ${r.maxSeconds.toFixed(0)} s |`,
    `| first published limit to saturate | ${r.firstSaturated ?? "none"} |`,
    `| backpressure engaged first | ${r.firstBackpressure ?? "none"} |`,
    `| saturated (minute) | ${saturated.map((l) => `${l.limit} (${(l.saturatedAt ?? 0) / 60})`).join("; ") || "none"} |`,
    `| peak use | ${r.limits
      .filter((l) => l.kind === "published")
      .map((l) => `${l.limit} ${(l.peak * 100).toFixed(0)}%`)
      .join("; ")} |`,
    `| jobs waiting, every 5 minutes | ${r.queueByMinute.filter((_, i) => i % 5 === 0).join(" ")} |`,
    `| peak running executions / deferrals | ${r.peakRunningJobs} / ${r.deferrals} |`,
    `| model 429s / Lambda refusals / Lambda cold starts / state transitions | ${r.model429s} / ${r.lambdaRefusals} / ${r.lambdaColdStarts} / ${r.stateTransitions} |`,
    `| embedding calls / throttled / cold starts / reports without market context | ${r.embeddingCalls} / ${r.embeddingThrottles} / ${r.embeddingColdStarts} / ${r.marketContextMissing} |`,
    `| Aurora resumes | ${r.auroraResumes} |`,
    `| cost per completed job | ${COST_LINES.map(([key, name]) => `${name.split(" (")[0]} ${usd(c[key])}`).join(", ")}; total ${usd(c.total)} |`,
  ];
}
