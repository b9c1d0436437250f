/**
 * The eval set: every persona portfolio (examples/personas/*.json) through the configured model
 * (ALEX_MODEL; offline by default), one job each through the local state machine, scored by the quality
 * gate, the fact-check, the review's findings and score, model calls, tokens, cost and latency.
 * Prints a table, writes eval.json; `--compare FILE` prints the change from an earlier run.
 *   npm run eval [-- --out eval.json] [-- --compare eval.json] [-- --personas DIR]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { openCliDb } from "../cli/open-db.js";
import { runJobLocally } from "../console/run-job.js";
import { type Config, loadConfig, modelName } from "../lib/config.js";
import type { Db } from "../lib/db/driver.js";
import { importPortfolio } from "../lib/db/repositories/import-portfolio.js";
import { createJob, getJob, type JobRow } from "../lib/db/repositories/jobs.js";
import { reportFactFindings } from "../lib/pipeline/quality-gate.js";
import { readPortfolioFile } from "../lib/portfolio/portfolio-file.js";
import { valuePortfolio } from "../lib/portfolio/valuation.js";

export const PERSONAS_DIR = "examples/personas";

/** One persona's scores. */
export const EvalRow = z.object({
  persona: z.string(),
  status: z.string(),
  gate_reasons: z.array(z.string()),
  fact_check: z.number().int().nullable(),
  /** The review's findings other than the fact-check's (suitability rules and the reviewer's own). */
  review_findings: z.number().int().nullable(),
  score: z.number().nullable(),
  calls: z.number().int(),
  tokens: z.number().int(),
  cost_usd: z.number().nullable(),
  latency_ms: z.number().int(),
});
export type EvalRow = z.infer<typeof EvalRow>;

export const EvalRun = z.object({ model: z.string(), at: z.string(), rows: z.array(EvalRow) });
export type EvalRun = z.infer<typeof EvalRun>;

/** The persona files, sorted by name. */
export function personaFiles(dir = PERSONAS_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => join(dir, name));
}

/** Runs every persona as one job on `db` with `config`'s model. */
export async function runEval(
  db: Db,
  config: Config,
  files: string[],
  onRow?: (row: EvalRow) => void,
): Promise<EvalRun> {
  const rows: EvalRow[] = [];
  for (const file of files) {
    const persona = basename(file, ".json");
    const userId = await importPortfolio(db, await readPortfolioFile(file));
    const jobId = await createJob(db, {
      clerk_user_id: userId,
      request_payload: { analysis_type: "portfolio", options: { eval: persona } },
    });
    const started = performance.now();
    await runJobLocally(db, config, jobId);
    const job = await getJob(db, jobId);
    if (!job) throw new Error(`eval: job ${jobId} of ${persona} disappeared`);
    const row = scoreJob(persona, job, Math.round(performance.now() - started));
    rows.push(row);
    onRow?.(row);
  }
  return { model: modelName(config), at: new Date().toISOString(), rows };
}

type Summary = {
  quality_gate?: { reasons: string[] };
  usage?: { requests: number; input_tokens: number; output_tokens: number };
  cost?: { usd: number | null };
};
type Report = { content?: string; review?: { status: string; score?: number; issues?: { problem: string }[] } };

/** A finished job's scores. */
export function scoreJob(persona: string, job: JobRow, latencyMs: number): EvalRow {
  const summary = (job.summary_payload ?? {}) as Summary;
  const report = job.report_payload as Report | null;
  const facts =
    report?.content && job.portfolio_snapshot
      ? reportFactFindings(
          report.content,
          { portfolio: job.portfolio_snapshot, valuation: valuePortfolio(job.portfolio_snapshot) },
          job.retirement_payload,
        )
      : null;
  const issues = report?.review?.status === "reviewed" ? (report.review.issues ?? []) : null;
  return {
    persona,
    status: job.status,
    gate_reasons: summary.quality_gate?.reasons ?? (job.status === "failed" ? [job.error_message ?? "failed"] : []),
    fact_check: facts?.length ?? null,
    review_findings: issues ? issues.filter((i) => !facts?.some((f) => f.problem === i.problem)).length : null,
    score: report?.review?.score ?? null,
    calls: summary.usage?.requests ?? 0,
    tokens: (summary.usage?.input_tokens ?? 0) + (summary.usage?.output_tokens ?? 0),
    cost_usd: summary.cost?.usd ?? null,
    latency_ms: latencyMs,
  };
}

const COLUMNS = ["persona", "status", "gate", "facts", "review", "score", "calls", "tokens", "cost $", "ms"];
const dash = (v: number | null) => (v === null ? "—" : String(v));

/** The run as a Markdown table, one row per persona, with totals. */
export function evalTable(run: EvalRun): string {
  const lines = run.rows.map((r) => [
    r.persona,
    r.status,
    r.gate_reasons.length === 0 ? "pass" : `${r.gate_reasons.length} reason(s)`,
    dash(r.fact_check),
    dash(r.review_findings),
    dash(r.score),
    String(r.calls),
    String(r.tokens),
    r.cost_usd === null ? "unpriced" : r.cost_usd.toFixed(6),
    String(r.latency_ms),
  ]);
  const passed = run.rows.filter((r) => r.status === "completed").length;
  const sum = (f: (r: EvalRow) => number) => run.rows.reduce((n, r) => n + f(r), 0);
  const totals = [
    `${run.rows.length} personas`,
    `${passed} completed`,
    "",
    String(sum((r) => r.fact_check ?? 0)),
    String(sum((r) => r.review_findings ?? 0)),
    "",
    String(sum((r) => r.calls)),
    String(sum((r) => r.tokens)),
    run.rows.some((r) => r.cost_usd === null) ? "unpriced" : sum((r) => r.cost_usd ?? 0).toFixed(6),
    String(sum((r) => r.latency_ms)),
  ];
  return `${markdown([COLUMNS, ...lines, totals])}\nModel: ${run.model}`;
}

/** Each persona's change from `before` (same persona name): status, and the difference of every figure. */
export function compareRuns(before: EvalRun, after: EvalRun): string {
  const old = new Map(before.rows.map((r) => [r.persona, r]));
  const delta = (a: number | null, b: number | null | undefined) =>
    a === null || b === null || b === undefined
      ? a === b
        ? "="
        : `${dash(b ?? null)} → ${dash(a)}`
      : a === b
        ? "="
        : `${a - b > 0 ? "+" : ""}${+(a - b).toFixed(6)}`;
  const lines = after.rows.map((r) => {
    const b = old.get(r.persona);
    if (!b) return [r.persona, "new", "", "", "", "", "", "", "", ""];
    return [
      r.persona,
      r.status === b.status ? r.status : `${b.status} → ${r.status}`,
      delta(r.gate_reasons.length, b.gate_reasons.length),
      delta(r.fact_check, b.fact_check),
      delta(r.review_findings, b.review_findings),
      delta(r.score, b.score),
      delta(r.calls, b.calls),
      delta(r.tokens, b.tokens),
      delta(r.cost_usd, b.cost_usd),
      delta(r.latency_ms, b.latency_ms),
    ];
  });
  const gone = before.rows
    .filter((r) => !after.rows.some((a) => a.persona === r.persona))
    .map((r) => [r.persona, "gone", "", "", "", "", "", "", "", ""]);
  return `${markdown([COLUMNS, ...lines, ...gone])}\nBefore: ${before.model} at ${before.at}; now: ${after.model}`;
}

function markdown(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(rows[0]), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.slice(1).map(line)].join("\n");
}

/** What `npm run eval` and `alex eval` take. */
export interface EvalOptions {
  out?: string;
  compare?: string;
  personas?: string;
  db?: string;
}

export const EVAL_OPTIONS = {
  out: { type: "string" },
  compare: { type: "string" },
  personas: { type: "string" },
  db: { type: "string" },
} as const;

/** Runs the set on a fresh database (or `db`), prints the table, writes `out`, compares with `compare`. */
export async function evalCommand(options: EvalOptions, config: Config): Promise<number> {
  const out = options.out ?? "eval.json";
  const before = options.compare ? EvalRun.parse(JSON.parse(readFileSync(options.compare, "utf8"))) : undefined;
  const dir = options.db ?? mkdtempSync(join(tmpdir(), "alex-eval-"));
  const db = await openCliDb(config, { dir });
  let run: EvalRun;
  try {
    run = await runEval(db, config, personaFiles(options.personas), (r) =>
      process.stderr.write(`${r.persona}: ${r.status} (${r.calls} model calls, ${r.latency_ms} ms)\n`),
    );
  } finally {
    await db.close();
    if (!options.db) rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${evalTable(run)}\n`);
  writeFileSync(resolve(out), `${JSON.stringify(run, null, 2)}\n`);
  process.stderr.write(`Wrote ${out}\n`);
  if (before) process.stdout.write(`\nCompared with ${options.compare}:\n${compareRuns(before, run)}\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { values } = parseArgs({ args: process.argv.slice(2), options: EVAL_OPTIONS });
  process.exitCode = await evalCommand(values, loadConfig());
}
