/**
 * The bench's sections: each measures one group of issue 13's rows and returns them (targets, baselines and
 * the issue's "now" figures included). A section that fails yields error rows; the others still run.
 */
import { parseRetirementInput } from "../../lib/retirement/input.js";
import { simulateRetirement } from "../../lib/retirement/simulation.js";
import { whatItTakes } from "../../lib/retirement/what-it-takes.js";
import { FOUR_PERCENT_RULE, SIXTY_YEARS } from "../bench-cases.js";
import { type BundleFigure, type BundleKind, measureBundles } from "../bundle-sizes.js";
import { DemoHome, help, type ProcessRun } from "./cli.js";
import type { DbCounts } from "./counting-db.js";
import {
  callsInARow,
  criticalPathMs,
  demoPortfolioFor,
  JobBench,
  type JobRun,
  syntheticPortfolio,
  untaggedCount,
} from "./jobs.js";
import { repeat, sample, timeRuns } from "./stats.js";
import { failedRow, type Row, row } from "./table.js";
import { lastSuiteRun, runSuite, type SuiteRun } from "./test-suite.js";

export interface Reps {
  quick: boolean;
  withTests: boolean;
}

const n = (quick: boolean, normal: number, fast: number) => (quick ? fast : normal);
const MiB = 2 ** 20;
/** Issue 13's "now" column, shown as a baseline. */
const issueNow = (text: string) => `issue 13 before: ${text}`;
const ORIGINAL_JOB = "original: 103 s per job through SQS, specialists sequential (issue 13)";

/** Statements a job or import sent: its queries, plus BEGIN and COMMIT for each transaction. */
export const statementsOf = (counts: DbCounts) => counts.statements + 2 * counts.transactions;

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** "CPU 1.9 / 2.1 s (user + system)": what the processes cost whatever the machine's load (GNU time), or undefined. */
function cpuNote(runs: { cpuMs?: number }[]): string | undefined {
  const cpu = runs.flatMap((r) => (r.cpuMs === undefined ? [] : [r.cpuMs]));
  if (cpu.length === 0) return undefined;
  const { min, median } = sample(cpu);
  return `CPU ${(min / 1000).toFixed(2)} / ${(median / 1000).toFixed(2)} s (user + system, min / median)`;
}

// ── bundles ────────────────────────────────────────────────────────────────────────────────────────────

/** The issue's "now" figures beside each kind of bundle. */
const BUNDLE_BEFORE: Record<BundleKind, { bytes: string; importMs: string }> = {
  agent: { bytes: "3.1 MB", importMs: "650–900 ms" },
  bookkeeping: { bytes: "0.87 MB", importMs: "240–380 ms" },
};

/** Every Lambda bundle's loaded bytes and cold import, measured by scripts/bundle-sizes.ts (what `npm run bundle-sizes` enforces). */
export async function bundleRows(reps: Reps): Promise<{ rows: Row[]; bundles: BundleFigure[] }> {
  progress("building each Lambda bundle and importing it cold");
  const bundles = await measureBundles({ runs: n(reps.quick, 3, 1), topInputs: 5 });
  const rows: Row[] = [];
  for (const b of bundles) {
    const before = BUNDLE_BEFORE[b.kind];
    const group = `${b.kind} Lambda bundles`;
    const mib = b.bytes / MiB;
    rows.push(
      row({
        group,
        measure: `${b.kind} bundle loaded at import: ${b.name} (all files ${(b.shippedBytes / MiB).toFixed(2)} MiB)`,
        unit: "MiB",
        ours: { min: mib, median: mib, runs: 1 },
        target: `≤ ${b.limits.bytes / MiB} MB`,
        limit: b.limits.bytes / MiB,
        baselines: [issueNow(before.bytes)],
      }),
    );
    if (b.importMs)
      rows.push(
        row({
          group,
          measure: `${b.kind} bundle cold import(): ${b.name}`,
          unit: "ms",
          ours: { min: b.importMs.min, median: b.importMs.median, runs: b.importMs.runs },
          target: `≤ ${b.limits.importMs} ms`,
          limit: b.limits.importMs,
          baselines: [issueNow(before.importMs)],
        }),
      );
  }
  return { rows, bundles };
}

// ── database work per job and per import ───────────────────────────────────────────────────────────────

/** Portfolio sizes of the statements-per-job rows (the last one is also the bytes-read row's). */
const POSITIONS = [10, 100, 1000];

export async function databaseRows(reps: Reps): Promise<Row[]> {
  const bench = await JobBench.create();
  try {
    const rows: Row[] = [];
    const runs = n(reps.quick, 3, 1);
    const perJob: JobRun[][] = []; // by POSITIONS index
    let toClassify: JobRun[] = [];
    for (const positions of POSITIONS) {
      progress(`SQL statements per job at ${positions} positions`);
      const { userId } = await bench.import(syntheticPortfolio(`bench-${positions}`, positions, `C${positions}X`));
      const first = await bench.run(userId); // tags the user's instruments (and warms up)
      if (positions === 1000) toClassify.push(first);
      perJob.push(await repeat(runs, () => bench.run(userId)));
    }
    const classifyRuns = n(reps.quick, 2, 1);
    for (let i = 1; i < classifyRuns; i++) {
      progress(
        `SQL statements per job at 1,000 positions, ${untaggedCount(1000)} to classify (${i + 1}/${classifyRuns})`,
      );
      const { userId } = await bench.import(syntheticPortfolio(`bench-classify-${i}`, 1000, `T${i}X`));
      toClassify.push(await bench.run(userId));
    }
    toClassify = toClassify.filter((r) => r.jobStatus === "completed");

    const counts = perJob.map((jobRuns) => sample(jobRuns.map((r) => statementsOf(r.db))));
    const constant = counts.every((c) => c.min === counts[0].min && c.median === counts[0].min);
    for (const [i, positions] of POSITIONS.entries()) {
      rows.push(
        row({
          group: "SQL statements per job",
          measure: `SQL statements per job, ${positions.toLocaleString("en-US")} positions, all classified`,
          unit: "",
          ours: counts[i],
          target: "≤ 12, constant",
          limit: 12,
          baselines: [
            issueNow("20"),
            `original: ≥ ${(4 * positions).toLocaleString("en-US")} (one query per position per agent, 4 agents)`,
          ],
          status: counts[i].median > 12 ? "over" : constant ? undefined : "over",
          note: constant ? undefined : "not constant across 10 / 100 / 1,000",
        }),
      );
    }
    rows.push(
      toClassify.length === 0
        ? failedRow(
            "SQL statements per job",
            "SQL statements per job, 1,000 positions, 978 to classify",
            "",
            new Error("no job completed"),
          )
        : row({
            group: "SQL statements per job",
            measure: `SQL statements per job, 1,000 positions, ${untaggedCount(1000)} to classify`,
            unit: "",
            ours: sample(toClassify.map((r) => statementsOf(r.db))),
            target: "≤ 14, constant (the tagger's read and write, the snapshot written in two parts, the gate's read)",
            limit: 14,
            baselines: [
              issueNow("1,000 (one upsert per tagged symbol)"),
              "original: ≥ 4,000 plus one write per symbol",
            ],
            note: `job wall ${sample(toClassify.map((r) => r.wallMs)).median.toFixed(0)} ms median, ${sample(toClassify.map((r) => r.calls.length)).median} model calls`,
          }),
    );
    const thousand = perJob[POSITIONS.length - 1];
    rows.push(
      row({
        group: "bytes read per job",
        measure: "bytes read from the database per job, 1,000 positions (rows as JSON)",
        unit: "MiB",
        ours: sample(thousand.map((r) => r.db.bytesRead / MiB)),
        target: "≤ 0.6 MB",
        limit: 0.6,
        baselines: [issueNow("2.4 MB (SELECT * of the job row, snapshot read 4×)")],
      }),
    );

    for (const positions of [10, 1000]) {
      progress(`statements to import a file of ${positions} positions`);
      const imports = await repeat(runs, (i) =>
        bench.import(syntheticPortfolio(`bench-import-${positions}-${i}`, positions, `I${positions}X${i}Y`)),
      );
      rows.push(
        row({
          group: "statements to import a portfolio file",
          measure: `statements to import a portfolio file of ${positions.toLocaleString("en-US")} positions (incl. BEGIN/COMMIT)`,
          unit: "",
          ours: sample(imports.map((r) => statementsOf(r.db))),
          target: "≤ 10, constant",
          limit: 10,
          baselines: [issueNow(`2N + 6 = ${(2 * positions + 6).toLocaleString("en-US")}`)],
        }),
      );
    }
    return rows;
  } finally {
    await bench.close();
  }
}

/**
 * Issue 22/25's any-size row: one job of 5,000 distinct holdings in 50 accounts, 4,978 of them new symbols the
 * tagger classifies (offline model) — wall time, statements, bytes read and the process's peak RSS while it runs.
 */
export async function sizeRows(_reps: Reps): Promise<Row[]> {
  const bench = await JobBench.create();
  try {
    progress("a job of 5,000 distinct holdings");
    const { userId } = await bench.import(syntheticPortfolio("bench-5000", 5000, "F5X", 100));
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const run = await bench.run(userId).finally(() => clearInterval(sampler));
    const done = run.jobStatus === "completed" ? undefined : (`job ${run.jobStatus ?? run.status}` as const);
    const group = "5,000 holdings";
    const note = `${untaggedCount(5000).toLocaleString("en-US")} classified in the job; ${done ?? "completed"}`;
    return [
      row({
        group,
        measure: "5,000 distinct holdings: wall time of one job (tagging included, offline model)",
        unit: "s",
        ours: sample([run.wallMs / 1000]),
        target: "completes",
        status: done ? "over" : "info",
        note,
      }),
      row({
        group,
        measure: "5,000 distinct holdings: SQL statements per job",
        unit: "",
        ours: sample([statementsOf(run.db)]),
        target: "14 with tagging up to ~2,400 holdings, + one per ~0.8 MB of paged reads",
        baselines: ["before: refused (500 distinct symbols, 1,000 positions)"],
      }),
      row({
        group,
        measure: "5,000 distinct holdings: bytes read from the database per job (rows as JSON)",
        unit: "MiB",
        ours: sample([run.db.bytesRead / MiB]),
      }),
      row({
        group,
        measure: "5,000 distinct holdings: peak RSS of the process during the job",
        unit: "MiB",
        ours: sample([peak / MiB]),
      }),
    ];
  } finally {
    await bench.close();
  }
}

// ── model calls, wall time and the critical path ───────────────────────────────────────────────────────

const LATENCY_MS = 300;

export async function modelRows(reps: Reps): Promise<Row[]> {
  const bench = await JobBench.create();
  try {
    const runs = n(reps.quick, 5, 2);
    // One user with the demo portfolio; the warm-up job tags its one unknown holding, so the timed jobs are
    // steady-state analyses (no tagger), as in issue 13's figures.
    const { userId } = await bench.import(demoPortfolioFor("bench-model"));
    const job = (sequential: boolean) => bench.run(userId, { latencyMs: LATENCY_MS, sequential });
    progress(`demo job with ${LATENCY_MS} ms per model call: specialists side by side, then one after another`);
    await job(false);
    // Alternated, so each pair (side by side, one after another) meets about the same machine load.
    const pairs = await repeat(runs, async () => ({ parallel: await job(false), sequential: await job(true) }));
    const parallel = pairs.map((p) => p.parallel);
    const sequential = pairs.map((p) => p.sequential);
    const paths = sequential.map(criticalPathMs);
    const ratios = parallel.map((r, i) => r.wallMs / paths[i]);
    const wall = sample(parallel.map((r) => r.wallMs));
    const seqWall = sample(sequential.map((r) => r.wallMs));
    const path = sample(paths);
    const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const failed = [...parallel, ...sequential].filter((r) => r.jobStatus !== "completed").length;
    return [
      row({
        group: "model calls",
        measure: "model calls per job (demo portfolio, all classified)",
        unit: "",
        ours: sample(parallel.map((r) => r.calls.length)),
        target: "≤ 5",
        limit: 5,
        baselines: [issueNow("8 (planner's and charter's closing text turns never used)")],
        note: failed ? `${failed} job(s) did not complete` : undefined,
      }),
      row({
        group: "model calls",
        measure: "model calls in a row on the critical path",
        unit: "",
        ours: sample(parallel.map(callsInARow)),
        target: "≤ 3",
        limit: 3,
        baselines: [
          issueNow("5"),
          `specialists sequential: ${sample(sequential.map((r) => r.calls.length)).median} (every call in a row)`,
        ],
      }),
      row({
        group: "state machine wall / critical path",
        measure: `job wall, ${LATENCY_MS} ms per model call`,
        unit: "ms",
        ours: wall,
        baselines: [
          `specialists sequential: ${fmt(seqWall.median)}`,
          `critical path: ${fmt(path.median)}`,
          ORIGINAL_JOB,
        ],
      }),
      row({
        group: "state machine wall / critical path",
        measure: `state machine wall / critical path, ${LATENCY_MS} ms per model call`,
        unit: "ratio",
        ours: sample(ratios),
        target: "≤ 1.1",
        limit: 1.1,
        baselines: [
          issueNow("1.03–1.16 (the Monte Carlo blocks the event loop)"),
          `specialists sequential / critical path: ${(seqWall.median / path.median).toFixed(2)}`,
        ],
      }),
    ];
  } finally {
    await bench.close();
  }
}

// ── the CLI as a whole process ─────────────────────────────────────────────────────────────────────────

export async function cliRows(reps: Reps): Promise<Row[]> {
  const rows: Row[] = [];
  progress("alex --help");
  try {
    const helps = await repeat(n(reps.quick, 5, 2), () => help());
    rows.push(
      row({
        group: "alex --help",
        measure: "`alex --help`, whole process",
        unit: "ms",
        ours: sample(helps.map((r) => r.wallMs)),
        target: "≤ 0.3 s",
        limit: 300,
        baselines: [issueNow("1.3 s")],
      }),
    );
  } catch (error) {
    rows.push(failedRow("alex --help", "`alex --help`, whole process", "ms", error, "≤ 0.3 s"));
  }

  const cold: ProcessRun[] = [];
  const warm: ProcessRun[] = [];
  const warmNpm: ProcessRun[] = [];
  try {
    const homes = n(reps.quick, 3, 1);
    const warmRuns = n(reps.quick, 5, 2);
    for (let i = 0; i < homes; i++) {
      const home = new DemoHome();
      try {
        progress(`cold npm start (new database) ${i + 1}/${homes}`);
        cold.push(await home.start());
        // The bare script and `npm start` in turn, on the same database, so both see the same load.
        for (let w = i; w < warmRuns; w += homes) {
          progress(`warm npm start (existing database) ${warm.length + 1}/${warmRuns}, without and with npm`);
          warm.push(await home.start());
          warmNpm.push(await home.npmStart());
        }
      } finally {
        home.dispose();
      }
    }
  } catch (error) {
    rows.push(failedRow("npm start", "`npm start`", "ms", error));
  }
  const warmRow = (measure: string, runs: ProcessRun[]) =>
    row({
      group: "npm start",
      measure,
      unit: "ms",
      ours: sample(runs.map((r) => r.wallMs)),
      target: "≤ 2.5 s",
      limit: 2500,
      baselines: [issueNow("4.8 s (the job itself 0.45 s)"), "issue 25 before: 3.7–4.6 s"],
      note: cpuNote(runs),
    });
  if (warmNpm.length > 0)
    rows.push(warmRow("warm `npm start` (existing database), as the README runs it: npm, then its script", warmNpm));
  if (warm.length > 0)
    rows.push(warmRow("warm `npm start` script without npm (`node bin/alex.mjs demo`), whole process", warm));
  const rss = cold.flatMap((r) => (r.peakRssMiB === undefined ? [] : [r.peakRssMiB]));
  if (cold.length > 0)
    rows.push(
      row({
        group: "npm start",
        measure: "cold `npm start` (new database), whole process",
        unit: "ms",
        ours: sample(cold.map((r) => r.wallMs)),
        note: cpuNote(cold),
        target: "≤ 6 s",
        limit: 6000,
        baselines: [issueNow("10.7 s")],
      }),
      rss.length > 0
        ? row({
            group: "npm start",
            measure: "cold `npm start` peak RSS",
            unit: "MiB",
            ours: sample(rss),
            target: "≤ 600 MB",
            limit: 600,
            baselines: [issueNow("883 MB")],
          })
        : row({
            group: "npm start",
            measure: "cold `npm start` peak RSS",
            unit: "MiB",
            target: "≤ 600 MB",
            status: "skipped",
            note: "/usr/bin/time not installed",
          }),
    );
  return rows;
}

// ── the Monte Carlo, the 4% rule and the demo job (the bench's original cases) ─────────────────────────

export async function simulationRows(reps: Reps): Promise<Row[]> {
  progress("Monte Carlo and the 4% rule");
  let sixty = "";
  const mc = await timeRuns(
    n(reps.quick, 15, 5),
    () => {
      const outlook = simulateRetirement(SIXTY_YEARS);
      sixty = `success rate ${outlook.success_rate}%, ${outlook.projections.length - 1} years`;
    },
    3,
  );
  let rule = "";
  const four = await timeRuns(
    n(reps.quick, 5, 2),
    () => {
      const outlook = simulateRetirement(FOUR_PERCENT_RULE);
      rule = `success rate ${outlook.success_rate}% (target band 85–97%)`;
    },
    1,
  );
  let levers = "";
  const solver = await timeRuns(
    n(reps.quick, 5, 2),
    () => {
      const w = whatItTakes(parseRetirementInput(SIXTY_YEARS));
      levers = `${w.trials} trials: contribution ${w.contribution_per_year}, age ${w.retirement_age}, spending ${w.spending_per_year} at ${w.target_success}%`;
    },
    1,
  );
  const rate = simulateRetirement(FOUR_PERCENT_RULE).success_rate;
  progress("demo job, offline model, no added latency");
  const bench = await JobBench.create();
  let demo: JobRun[];
  try {
    const { userId } = await bench.import(demoPortfolioFor("bench-demo"));
    demo = await repeat(n(reps.quick, 10, 3), () => bench.run(userId), 2);
  } finally {
    await bench.close();
  }
  return [
    row({
      group: "Monte Carlo",
      measure: "Monte Carlo, 10,000 paths × 60 years",
      unit: "ms",
      ours: mc,
      target: "≤ 100 ms, correlated draws",
      limit: 100,
      baselines: [issueNow("38 ms")],
      note: sixty,
    }),
    row({
      group: "Monte Carlo",
      measure: "what it takes: each lever to 85% (bisection, common random numbers), 10,000 paths × 60 years",
      unit: "ms",
      ours: solver,
      note: levers,
    }),
    row({
      group: "4% rule",
      measure: "4% rule: $1M 60/40, $40,000/yr, 65 → 95, 10,000 paths (time)",
      unit: "ms",
      ours: four,
      note: rule,
    }),
    row({
      group: "4% rule",
      measure: "4% rule: success rate",
      unit: "%",
      ours: { min: rate, median: rate, runs: 1 },
      target: "85–97% (Trinity study)",
      status: rate >= 85 && rate <= 97 ? "ok" : "over",
    }),
    row({
      group: "demo job",
      measure: "demo job through the state machine (offline model, in-memory PGlite, no latency)",
      unit: "ms",
      ours: sample(demo.map((r) => r.wallMs)),
      target: "≤ 1 s (the bench's own budget)",
      limit: 1000,
      baselines: [issueNow("0.45 s (the job inside a warm npm start)")],
      note: `${demo.filter((r) => r.jobStatus === "completed").length}/${demo.length} completed`,
    }),
  ];
}

// ── npm test ───────────────────────────────────────────────────────────────────────────────────────────

export async function testSuiteRows(reps: Reps): Promise<Row[]> {
  let run: SuiteRun | undefined;
  if (reps.withTests) {
    progress("npm test (the whole suite, once)");
    run = await runSuite();
  } else run = lastSuiteRun();
  const base = { group: "npm test", measure: "`npm test` wall time", unit: "ms", target: "≤ 90 s", limit: 90_000 };
  if (!run)
    return [
      row({
        ...base,
        baselines: [issueNow("158 s, 35 workers at ~460 ms start-up each")],
        status: "skipped",
        note: "no test-output/vitest.json: run `npm run bench -- --with-tests`",
      }),
    ];
  return [
    row({
      ...base,
      ours: { min: run.wallMs, median: run.wallMs, runs: 1 },
      baselines: [issueNow("158 s, 35 workers at ~460 ms start-up each")],
      note: [
        `${run.tests} tests, ${run.passed ? "passed" : "FAILED"}, run ${run.date}${run.source === "bench" ? " by this bench" : ` (from ${run.source})`}`,
        run.cpuMs === undefined ? undefined : `CPU ${(run.cpuMs / 1000).toFixed(0)} s (user + system)`,
      ]
        .filter(Boolean)
        .join(", "),
    }),
  ];
}
