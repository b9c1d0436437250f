import { resolve } from "node:path";
import { localDefinition, runJobLocally } from "../console/run-job.js";
import type { Db } from "../lib/db/driver.js";
import { importPortfolio } from "../lib/db/repositories/import-portfolio.js";
import { displayName, listJobSummaries } from "../lib/db/repositories/job-list.js";
import { getJob, type JobRow, listJobs } from "../lib/db/repositories/jobs.js";
import { listTraceSpans } from "../lib/db/repositories/traces.js";
import { usd } from "../lib/format.js";
import { type OutputOptions, writeJobOutput } from "../lib/output/job-output.js";
import { createLocalJob, pauseAtFaultPoint } from "../lib/pipeline/local-jobs.js";
import { readPortfolioFile } from "../lib/portfolio/portfolio-file.js";
import { JOB_STATUSES } from "../lib/portfolio/types.js";
import { DEMO_USER_ID, seedDemo } from "../lib/seed/demo.js";
import { renderTraceHtml } from "../lib/tracing/trace-html.js";
import { serializeDefinition } from "../state-machine/definition.js";
import { LOCAL_ARNS } from "../state-machine/local-executor.js";
import { withCliDb } from "./cli-db.js";
import type { CommandArgs } from "./command.js";
import { writeGraph } from "./graph-command.js";
import { print, printJson, progress, UsageError } from "./io.js";
import { resolveJobId } from "./job-ids.js";
import { failJobOnSignal } from "./job-signals.js";
import { jobsTable } from "./jobs-table.js";
import { ProgressDisplay } from "./progress.js";

const DEFAULT_OUT = "out";

/** `alex demo`: (re)seed the demo portfolio, then analyse it through the state machine. */
export async function demoCommand(args: CommandArgs): Promise<number> {
  return withCliDb(args, async (db) => {
    await seedDemo(db);
    return await analyse(db, args, DEMO_USER_ID, {});
  });
}

/** `alex analyze --portfolio FILE`: import the file (nothing is written if it is invalid), then analyse it. */
export async function analyzeCommand(args: CommandArgs): Promise<number> {
  const path = args.values.portfolio as string | undefined;
  if (!path) throw new UsageError("--portfolio FILE is required");
  const seed = parseSeed(args.values.seed as string | undefined);
  const file = await readPortfolioFile(path);
  return withCliDb(args, async (db) => {
    const userId = await importPortfolio(db, file);
    progress(`Imported ${file.accounts.length} account(s) for user ${userId}.`);
    return await analyse(db, args, userId, seed === undefined ? {} : { seed });
  });
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff)
    throw new UsageError("--seed must be an integer from 0 to 4294967295");
  return seed;
}

async function analyse(db: Db, args: CommandArgs, userId: string, options: Record<string, unknown>): Promise<number> {
  const jobId = await createLocalJob(db, {
    clerk_user_id: userId,
    request_payload: { analysis_type: "portfolio", options },
  });
  progress(`Job ${jobId} for ${userId} (model: ${args.config.model.provider})`);
  pauseAtFaultPoint("create");
  const execution = await failJobOnSignal(db, jobId, () =>
    runJobLocally(db, args.config, jobId, new ProgressDisplay(progress).onEvent),
  );
  const job = (await getJob(db, jobId))!;
  const dir = resolve((args.values.out as string | undefined) ?? DEFAULT_OUT, jobId);
  await writeJobOutput(dir, await withPerson(db, job), await pageOptions(db, jobId));
  if (args.values.json) printJson(jobJson(job));
  else print(describeJob(job));
  progress(`Job ${job.status} in ${Math.round(execution.durationMs)} ms. Outputs: ${dir}/index.html`);
  return exitCodeFor(job.status);
}

/** 0 completed, 3 needs_review (outputs stored, but the quality gate did not pass them), 1 anything else. */
export function exitCodeFor(status: JobRow["status"]): number {
  return status === "completed" ? 0 : status === "needs_review" ? 3 : 1;
}

/** `12 jobs: 9 completed, 2 needs_review, 1 failed` (statuses in JOB_STATUSES order, zeros left out). */
export function countByStatus(jobs: { status: JobRow["status"] }[]): string {
  const counts = JOB_STATUSES.map((status) => [status, jobs.filter((j) => j.status === status).length] as const);
  const parts = counts.filter(([, n]) => n > 0).map(([status, n]) => `${n} ${status}`);
  return `${jobs.length} job(s)${parts.length > 0 ? `: ${parts.join(", ")}` : ""}`;
}

/** The job as `--json` prints it. */
export function jobJson(job: JobRow) {
  const { id, status, error_message, report_payload, charts_payload, retirement_payload, summary_payload } = job;
  return { id, status, error_message, report_payload, charts_payload, retirement_payload, summary_payload };
}

/** A few lines a person reads after a run. */
export function describeJob(job: JobRow): string {
  const summary = job.summary_payload as {
    chosen?: { agent: string; reason: string }[];
    results?: Record<string, { status: string; duration_ms?: number; error?: string }>;
    portfolio?: { total_value: number };
  } | null;
  const lines = [`Job ${job.id}: ${job.status}${job.error_message ? ` — ${job.error_message}` : ""}`];
  if (summary?.portfolio) lines.push(`Portfolio value: ${usd(summary.portfolio.total_value)}`);
  for (const choice of summary?.chosen ?? []) {
    const result = summary?.results?.[choice.agent];
    const outcome =
      result?.status === "succeeded"
        ? `succeeded in ${result.duration_ms} ms`
        : `failed: ${result?.error ?? "no result"}`;
    lines.push(`  ${choice.agent.padEnd(11)} ${outcome}  (${choice.reason})`);
  }
  if (job.charts_payload) lines.push(`Charts: ${Object.keys(job.charts_payload).join(", ")}`);
  const retirement = job.retirement_payload as { monte_carlo?: { success_rate?: number } } | null;
  if (retirement?.monte_carlo?.success_rate !== undefined)
    lines.push(`Retirement success rate: ${retirement.monte_carlo.success_rate}%`);
  return lines.join("\n");
}

export async function jobsCommand(args: CommandArgs): Promise<number> {
  return withCliDb(args, async (db) => {
    const clerkUserId = args.values.user as string | undefined;
    if (args.values.json) printJson(await listJobs(db, { clerkUserId, limit: 50 }));
    else {
      const jobs = await listJobSummaries(db, { clerkUserId, limit: 50 });
      print(jobsTable(jobs, new Date()));
      print(countByStatus(jobs));
    }
    return 0;
  });
}

export async function showCommand(args: CommandArgs): Promise<number> {
  const [text] = args.positionals;
  if (!text) throw new UsageError("usage: alex show JOB [--json] [--out DIR] [--graph] [--trace]");
  return withCliDb(args, async (db) => {
    const id = await resolveJobId(db, text);
    const job = await getJob(db, id);
    if (!job) {
      progress(`alex: job ${id} not found`);
      return 1;
    }
    if (args.values.trace) return (await import("./trace-command.js")).showTrace(db, job.id, Boolean(args.values.json));
    if (args.values.json) printJson(jobJson(job));
    else print(describeJob(job));
    if (args.values.out) {
      const dir = resolve(args.values.out as string, job.id);
      await writeJobOutput(dir, await withPerson(db, job), await pageOptions(db, job.id));
      progress(`Outputs: ${dir}/index.html`);
    }
    if (args.values.graph)
      return (await writeGraph(job, (args.values.out as string | undefined) ?? DEFAULT_OUT)) ? 0 : 1;
    return 0;
  });
}

export async function definitionCommand(): Promise<number> {
  print(serializeDefinition(LOCAL_ARNS));
  return 0;
}

/** The job with its person's display name, which the page's title and heading show. */
async function withPerson(db: Db, job: JobRow): Promise<JobRow & { person: string | null }> {
  return { ...job, person: await displayName(db, job.clerk_user_id) };
}

/** What the page draws besides the job's payloads: the state machine that ran it and its agent trace. */
async function pageOptions(db: Db, jobId: string): Promise<OutputOptions> {
  return { definition: localDefinition(), traceHtml: renderTraceHtml(await listTraceSpans(db, jobId)) };
}
