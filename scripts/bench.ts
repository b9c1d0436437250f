/**
 * Benchmarks, one line each: `npm run bench` (or `npx tsx scripts/bench.ts`).
 * Add a section by appending to `benchmarks`.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentDeps } from "../lib/agents/common.js";
import { loadConfig } from "../lib/config.js";
import { migrate } from "../lib/db/migrate.js";
import { PgliteDb } from "../lib/db/pglite.js";
import { createJob, getJob } from "../lib/db/repositories/jobs.js";
import { createKnowledgeBase } from "../lib/knowledge/knowledge-base.js";
import type { RetirementInputDraft } from "../lib/retirement/input.js";
import { simulateRetirement } from "../lib/retirement/simulation.js";
import { DEMO_USER_ID, seedDemo } from "../lib/seed/demo.js";
import { executeLocally } from "../state-machine/local-executor.js";
import { FOUR_PERCENT_RULE } from "./bench-cases.js";

interface Benchmark {
  name: string;
  warmups: number;
  runs: number;
  /** Printed as over budget when the median exceeds it. */
  budgetMs?: number;
  /** One timed run; returns a short note about its result (printed once). */
  run: () => Promise<string> | string;
}

/** The demo portfolio (SPY, QQQ, BND, VEA, GLD and cash), from age 35 to 95, with a fixed pension (inflation drawn too). */
const SIXTY_YEARS: RetirementInputDraft = {
  current_value: 99_437.5,
  weights: {
    equity: 71_545 / 99_437.5,
    fixed_income: 14_500 / 99_437.5,
    cash: 8_500 / 99_437.5,
    commodities: 4_892.5 / 99_437.5,
  },
  current_age: 35,
  retirement_age: 65,
  target_income: 60_000,
  annual_contribution: 10_000,
  income: [{ name: "Pension", annual_amount: 10_000, start_age: 65, inflation_linked: false }],
  paths: 10_000,
  seed: 42,
};

let demoDeps: Promise<AgentDeps> | undefined;

/** An in-memory database with the demo user, and the offline model (built once, outside the timings). */
function demo(): Promise<AgentDeps> {
  demoDeps ??= (async () => {
    const db = await PgliteDb.memory();
    await migrate(db);
    await seedDemo(db);
    const config = loadConfig({
      ALEX_MODEL: "offline",
      ALEX_KNOWLEDGE_DIR: mkdtempSync(join(tmpdir(), "alex-bench-kb-")),
      ALEX_LOG_LEVEL: "SILENT",
    });
    return { db, config, knowledge: await createKnowledgeBase(config) };
  })();
  return demoDeps;
}

const benchmarks: Benchmark[] = [
  {
    name: "4% rule calibration ($1M 60/40 SPY/AGG, $40,000/yr today's dollars, 65 → 95), 10,000 paths",
    warmups: 1,
    runs: 5,
    run: () => {
      const outlook = simulateRetirement(FOUR_PERCENT_RULE);
      return `success rate ${outlook.success_rate}% (target band 85–97%), sustainable ${outlook.sustainable_income} a year at the mean return`;
    },
  },
  {
    name: "retirement Monte Carlo, 10,000 paths × 60 years",
    warmups: 3,
    runs: 15,
    budgetMs: 100,
    run: () => {
      const outlook = simulateRetirement(SIXTY_YEARS);
      return `success rate ${outlook.success_rate}%, ${outlook.projections.length - 1} years`;
    },
  },
  {
    name: "demo job through the state machine (offline model, embedded database)",
    warmups: 2,
    runs: 10,
    budgetMs: 1000,
    run: async () => {
      const deps = await demo();
      const jobId = await createJob(deps.db, { clerk_user_id: DEMO_USER_ID });
      const execution = await executeLocally({ jobId }, { deps });
      const job = await getJob(deps.db, jobId);
      const rss = Math.round(process.memoryUsage().rss / 2 ** 20);
      return `${execution.status}, job ${job?.status}, ${execution.events.length} events, process RSS ${rss} MiB`;
    },
  },
];

async function measure(benchmark: Benchmark): Promise<string> {
  let note = "";
  for (let i = 0; i < benchmark.warmups; i++) note = await benchmark.run();
  const times: number[] = [];
  for (let i = 0; i < benchmark.runs; i++) {
    const start = performance.now();
    await benchmark.run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const budget =
    benchmark.budgetMs === undefined
      ? ""
      : median <= benchmark.budgetMs
        ? ` (within ${benchmark.budgetMs} ms)`
        : ` (OVER the ${benchmark.budgetMs} ms budget)`;
  return `${benchmark.name}: median ${median.toFixed(1)} ms, min ${times[0].toFixed(1)} ms over ${times.length} runs${budget}; ${note}`;
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
for (const benchmark of benchmarks) console.log(await measure(benchmark));
