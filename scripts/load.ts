/**
 * Load test: `npm run load -- --jobs 200 [--tpm N] [--rpm N] [--time-scale N] [--reserved] [--admission off] [--json]
 * [--write-measurements lib/scale/measured-workload.json]` (the scale model's inputs: lib/scale/workload.ts).
 * Queues the jobs at once and runs them through the real definition locally as the job starter admits
 * them (admission control), against a quota-enforcing fake Bedrock on 127.0.0.1 (time compressed; see
 * docs/scale.md). `--reserved` adds the reserved concurrency of ALEX_RESERVED_CONCURRENCY=quota.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../lib/config.js";
import { migrate } from "../lib/db/migrate.js";
import { PgliteDb } from "../lib/db/pglite.js";
import { createKnowledgeBase } from "../lib/knowledge/knowledge-base.js";
import { DEFAULT_MODEL_QUOTA, scaleLimits } from "../lib/scale/limits.js";
import { measurements } from "../lib/scale/workload.js";
import { seedInstruments } from "../lib/seed/demo.js";
import { type LoadReport, runLoad } from "../tests/support/load-run.js";

const { values } = parseArgs({
  options: {
    jobs: { type: "string", default: "200" },
    tpm: { type: "string", default: String(DEFAULT_MODEL_QUOTA.tokensPerMinute) },
    rpm: { type: "string", default: String(DEFAULT_MODEL_QUOTA.requestsPerMinute) },
    "time-scale": { type: "string", default: "6" },
    reserved: { type: "boolean", default: false },
    admission: { type: "string", default: "on" },
    "write-measurements": { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const number = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: expected a positive number, got "${text}"`);
  return n;
};

const db = await PgliteDb.memory();
await migrate(db);
await seedInstruments(db);
const config = loadConfig({
  ALEX_MODEL: "offline",
  ALEX_KNOWLEDGE_DIR: mkdtempSync(join(tmpdir(), "alex-load-kb-")),
  ALEX_LOG_LEVEL: "SILENT",
});
const deps = { db, config, knowledge: await createKnowledgeBase(config) };

if (values.admission !== "on" && values.admission !== "off")
  throw new Error(`--admission: expected on or off, got "${values.admission}"`);
const quota = { tokensPerMinute: number("tpm", values.tpm), requestsPerMinute: number("rpm", values.rpm) };
const limits = scaleLimits(quota);
const report = await runLoad({
  db,
  deps,
  jobs: number("jobs", values.jobs),
  quota,
  limits,
  reserved: values.reserved ? limits.reservedConcurrency : {},
  admission: values.admission === "on",
  timeScale: number("time-scale", values["time-scale"]),
});
await db.close();
if (values["write-measurements"]) {
  const command = `npm run load -- ${process.argv.slice(2).join(" ")}`;
  writeFileSync(values["write-measurements"], `${JSON.stringify(measurements(report, command), null, 2)}\n`);
}
console.log(
  values.json ? JSON.stringify({ ...report, jobsPerQuotaMinuteSized: limits.jobsPerMinute }, null, 2) : format(report),
);

function format(r: LoadReport): string {
  const s = (ms: number) => `${((ms * r.timeScale) / 1000).toFixed(0)} s`;
  const p = (x: { p50: number; p95: number; max: number }, unit: (v: number) => string) =>
    `${unit(x.p50)} / ${unit(x.p95)} / ${unit(x.max)}`;
  const n = (v: number) => v.toFixed(0);
  return [
    `Load test: ${r.jobs} jobs queued at once; fake Bedrock quota ${r.quota.tokensPerMinute} tokens/min, ${r.quota.requestsPerMinute} requests/min; time ×${r.timeScale}`,
    `burst: ${(r.jobs / limits.jobsPerMinute).toFixed(1)}× the ${limits.jobsPerMinute.toFixed(1)} jobs a minute the quota sustains (lib/scale/limits.ts)`,
    `admission control: ${r.maxRunningJobs === undefined ? "off" : `at most ${r.maxRunningJobs} running`}; reserved concurrency: ${
      Object.entries(r.reservedConcurrency)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ") || "none"
    }`,
    "",
    "| measure | value |",
    "|---|---|",
    `| jobs by status | ${Object.entries(r.statuses)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} |`,
    ...Object.entries(r.failures).map(([reason, count]) => `| failed: ${reason.replaceAll("|", "/")} | ${count} |`),
    `| wall time (compressed) | ${(r.wallMs / 1000).toFixed(1)} s |`,
    `| throughput | ${r.jobsPerQuotaMinute.toFixed(1)} jobs per quota minute |`,
    `| queued → started p50 / p95 / max (quota time) | ${p(r.queuedToStartMs, s)} |`,
    `| queued → done p50 / p95 / max (quota time) | ${p(r.queuedToDoneMs, s)} |`,
    `| peak running executions / messages handed back to the queue | ${r.peakRunningJobs} / ${r.deferrals} |`,
    `| model calls / 429s | ${r.model.requests} / ${r.model.throttled} |`,
    `| embedding calls per job | ${(r.embeddingCalls / r.jobs).toFixed(2)} |`,
    `| model tokens in / out | ${r.model.inputTokens} / ${r.model.outputTokens} |`,
    `| model retries per job mean (p50 / p95 / max) | ${r.modelRetriesPerJob.mean.toFixed(2)} (${p(r.modelRetriesPerJob, n)}) |`,
    `| Step Functions retries per job mean (p50 / p95 / max) | ${r.stateRetriesPerJob.mean.toFixed(2)} (${p(r.stateRetriesPerJob, n)}) |`,
    `| invocations refused by reserved concurrency | ${r.lambdaThrottles} |`,
    `| peak in flight per function | ${Object.entries(r.peakConcurrency)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} |`,
    "",
    "| agent | invocations | calls / invocation | input tokens / call | output tokens / call |",
    "|---|---|---|---|---|",
    ...Object.entries(r.measured).map(
      ([agent, m]) =>
        `| ${agent} | ${m.invocations} | ${(m.calls / Math.max(1, m.invocations)).toFixed(2)} | ${(m.inputTokens / m.calls).toFixed(0)} | ${(m.outputTokens / m.calls).toFixed(0)} |`,
    ),
  ].join("\n");
}
