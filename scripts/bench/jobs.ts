/**
 * Runs analysis jobs through the real state machine (executeLocally) on an in-memory PGlite with the
 * offline model, and measures what one job costs: SQL statements, bytes read, model calls (with a
 * simulated per-call latency), wall time against the critical path and against the specialists run
 * one after another.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentDeps } from "../../lib/agents/common.js";
import { loadConfig } from "../../lib/config.js";
import { migrate } from "../../lib/db/migrate.js";
import { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { createKnowledgeBase } from "../../lib/knowledge/knowledge-base.js";
import { OfflineModel } from "../../lib/models/offline.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import type { TaskName } from "../../lib/pipeline/tasks.js";
import { type PortfolioFile, parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { SPECIALISTS } from "../../lib/roster.js";
import { DEMO_PORTFOLIO, seedDemo } from "../../lib/seed/demo.js";
import { SEED_INSTRUMENTS } from "../../lib/seed/instruments.js";
import { executeLocally, TASK_FUNCTIONS } from "../../state-machine/local-executor.js";
import { type CountingDb, countingDb, type DbCounts } from "./counting-db.js";
import { currentTask, LatencyModel, longestChain, type ModelCall } from "./latency-model.js";

/** The Map's specialists: they run side by side in the state machine. */
const SPECIALIST_TASKS: readonly TaskName[] = SPECIALISTS;

export interface TaskTiming {
  task: TaskName;
  start: number;
  end: number;
}

export interface JobRun {
  status: string;
  jobStatus?: string;
  wallMs: number;
  db: DbCounts;
  calls: ModelCall[];
  tasks: TaskTiming[];
}

export interface JobOptions {
  /** Simulated latency of every model call (ms). */
  latencyMs?: number;
  /** Runs the Map's specialists one after another (a lock around their handlers): the sequential baseline. */
  sequential?: boolean;
}

/** One database and knowledge base for all job measurements (set up outside every timing). */
export class JobBench {
  private constructor(
    readonly db: CountingDb,
    private readonly deps: AgentDeps,
  ) {}

  static async create(): Promise<JobBench> {
    const pglite = await PgliteDb.memory();
    await migrate(pglite);
    await seedDemo(pglite);
    const config = loadConfig({
      ALEX_MODEL: "offline",
      ALEX_KNOWLEDGE_DIR: mkdtempSync(join(tmpdir(), "alex-bench-kb-")),
      ALEX_LOG_LEVEL: "SILENT",
    });
    const db = countingDb(pglite);
    return new JobBench(db, { db, config, knowledge: await createKnowledgeBase(config) });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Imports `file` (counted) and returns the user id and what the import cost. */
  async import(file: PortfolioFile): Promise<{ userId: string; db: DbCounts }> {
    this.db.reset();
    const userId = await importPortfolio(this.db, file);
    return { userId, db: this.db.reset() };
  }

  /** Creates a job for `userId` and runs it through the state machine; counts only the execution. */
  async run(userId: string, options: JobOptions = {}): Promise<JobRun> {
    const jobId = await createJob(this.db, { clerk_user_id: userId });
    const calls: ModelCall[] = [];
    const tasks: TaskTiming[] = [];
    const latencyMs = options.latencyMs ?? 0;
    const deps: AgentDeps = {
      ...this.deps,
      modelFor: (agent, policy) => new LatencyModel(new OfflineModel(policy, agent), latencyMs, agent, calls),
    };
    this.db.reset();
    const start = performance.now();
    const execution = await executeLocally(
      { jobId },
      { deps, taskFunctions: timedTasks(tasks, options.sequential ?? false) },
    );
    const wallMs = performance.now() - start;
    const db = this.db.reset();
    const job = await getJob(this.db, jobId);
    this.db.reset();
    return { status: execution.status, jobStatus: job?.status, wallMs, db, calls, tasks };
  }
}

/** Every task's real handler, timed and named for the model calls it makes (and serialised if asked). */
function timedTasks(timings: TaskTiming[], sequential: boolean): Partial<Record<TaskName, TaskFunction<unknown>>> {
  let queue: Promise<unknown> = Promise.resolve();
  const timed =
    (task: TaskName, handler: TaskFunction<unknown>): TaskFunction<unknown> =>
    async (event, deps) => {
      const start = performance.now();
      try {
        return await currentTask.run(task, () => handler(event, deps));
      } finally {
        timings.push({ task, start, end: performance.now() });
      }
    };
  const serialised =
    (handler: TaskFunction<unknown>): TaskFunction<unknown> =>
    (event, deps) => {
      const run = queue.then(() => handler(event, deps));
      queue = run.catch(() => undefined);
      return run;
    };
  return Object.fromEntries(
    Object.entries(TASK_FUNCTIONS).map(([name, handler]) => {
      const task = name as TaskName;
      const wrapped = timed(task, handler);
      return [task, sequential && SPECIALIST_TASKS.includes(task) ? serialised(wrapped) : wrapped];
    }),
  );
}

/** Model calls one after another on the critical path: each task's own chain, the longest specialist's for the Map. */
export function callsInARow(run: JobRun): number {
  const chain = (task: TaskName) => longestChain(run.calls.filter((c) => c.task === task));
  const tasks = [...new Set(run.tasks.map((t) => t.task))];
  const sequentialPart = tasks.filter((t) => !SPECIALIST_TASKS.includes(t)).reduce((sum, t) => sum + chain(t), 0);
  return sequentialPart + Math.max(0, ...SPECIALIST_TASKS.map(chain));
}

/**
 * The critical path of a job whose specialists ran one after another: its wall time without the
 * specialists except the longest one (what the job would take if the Map added nothing to its slowest branch).
 */
export function criticalPathMs(sequentialRun: JobRun): number {
  const specialists = sequentialRun.tasks.filter((t) => SPECIALIST_TASKS.includes(t.task)).map((t) => t.end - t.start);
  const sum = specialists.reduce((a, b) => a + b, 0);
  return sequentialRun.wallMs - sum + Math.max(0, ...specialists);
}

/** The demo portfolio under a new user id (its unlisted holding VTI is untagged for that user, so the tagger runs). */
export function demoPortfolioFor(id: string): PortfolioFile {
  return { ...DEMO_PORTFOLIO, user: { ...DEMO_PORTFOLIO.user, id } };
}

/**
 * A portfolio of `positions` distinct holdings in accounts of 50: the seed instruments first (already
 * tagged), then instruments the user names and prices (`prefix` + number), which the tagger must classify.
 * Built account by account through the file schema (`perAccount` holdings each; at most 50 accounts).
 */
export function syntheticPortfolio(id: string, positions: number, prefix: string, perAccount = 50): PortfolioFile {
  const seeded = SEED_INSTRUMENTS.map((i) => i.symbol);
  const holdings = Array.from({ length: positions }, (_, i) =>
    i < seeded.length
      ? { symbol: seeded[i], quantity: i + 1 }
      : {
          symbol: `${prefix}${i}`,
          quantity: 10,
          name: `Bench Fund ${i}`,
          price: 20 + (i % 50),
          instrument_type: "etf",
        },
  );
  const accounts = Array.from({ length: Math.ceil(positions / perAccount) }, (_, a) => ({
    name: `Account ${a + 1}`,
    type: "taxable",
    cash_balance: 1000,
    positions: holdings.slice(a * perAccount, (a + 1) * perAccount),
  }));
  const parsed = accounts.map(
    (account) => parsePortfolioFile({ user: { id, display_name: `Bench ${id}` }, accounts: [account] }).accounts[0],
  );
  const head = parsePortfolioFile({
    user: { id, display_name: `Bench ${id}`, current_age: 45, years_until_retirement: 20 },
    accounts: [],
  });
  return { ...head, accounts: parsed };
}

/** How many of a portfolio's symbols the seed has not tagged. */
export function untaggedCount(positions: number): number {
  return Math.max(0, positions - SEED_INSTRUMENTS.length);
}
