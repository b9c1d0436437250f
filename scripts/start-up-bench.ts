// Start-up figures of the CLI (issue 13 part 4), each from fresh processes: `alex --help`, a warm
// `alex demo` (existing database) and a cold one (new database, from the template), with peak RSS.
// Run alone: `npx tsx scripts/start-up-bench.ts [repetitions]`; `npm run bench` imports measureStartUp.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const BIN = join(ROOT, "bin", "alex.mjs");
/** Preloaded into each measured process: on exit, writes its resource usage where ALEX_BENCH_RSS_FILE says. */
const RSS_PROBE =
  "data:text/javascript,import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(process.env.ALEX_BENCH_RSS_FILE,JSON.stringify(process.resourceUsage())))";

export interface Run {
  wallMs: number;
  /** User + system CPU time: less sensitive than wall time to other work on a shared machine. */
  cpuMs: number;
  peakRssMb: number;
}

export interface Figure {
  minMs: number;
  medianMs: number;
  minCpuMs: number;
  /** The largest peak RSS of the runs, in MB. */
  peakRssMb: number;
  runs: Run[];
}

export interface StartUpFigures {
  help: Figure;
  warm: Figure;
  cold: Figure;
  /** A new database with no template yet (the very first run on a machine: initdb, then the template is saved). */
  coldWithoutTemplate: Figure;
  loadAverage: number[];
}

/** Runs `alex ARGS` once in a new process (the CLI as `npx alex` runs it, without npx's own start). */
export function runAlex(args: string[], env: Record<string, string> = {}): Run {
  const scratch = mkdtempSync(join(tmpdir(), "alex-bench-rss-"));
  const rssFile = join(scratch, "rss");
  try {
    const started = performance.now();
    const result = spawnSync(process.execPath, ["--import", RSS_PROBE, BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ALEX_BENCH_RSS_FILE: rssFile, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const wallMs = performance.now() - started;
    if (result.status !== 0) {
      throw new Error(`alex ${args.join(" ")} exited ${result.status}: ${result.stderr.toString().slice(-500)}`);
    }
    const usage: NodeJS.ResourceUsage = JSON.parse(readFileSync(rssFile, "utf8"));
    return { wallMs, cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, peakRssMb: usage.maxRSS / 1024 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function figure(runs: Run[]): Figure {
  const times = runs.map((r) => r.wallMs).sort((a, b) => a - b);
  return {
    minMs: times[0],
    medianMs: times[Math.floor(times.length / 2)],
    minCpuMs: Math.min(...runs.map((r) => r.cpuMs)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    runs,
  };
}

function repeat(times: number, run: () => Run): Figure {
  return figure(Array.from({ length: times }, run));
}

/** Measures every start-up row, `repetitions` runs each (min and median); scratch databases go to a temp dir. */
export async function measureStartUp(repetitions = 3): Promise<StartUpFigures> {
  const { loadavg } = await import("node:os");
  const scratch = mkdtempSync(join(tmpdir(), "alex-bench-start-up-"));
  const demo = (db: string, env?: Record<string, string>) =>
    runAlex(["demo", "--db", db, "--out", join(scratch, "out")], env);
  try {
    const help = repeat(repetitions, () => runAlex(["--help"]));
    const warmDb = join(scratch, "warm");
    demo(warmDb); // creates it (and the template, on a machine that has none yet)
    const warm = repeat(repetitions, () => demo(warmDb));
    let n = 0;
    const cold = repeat(repetitions, () => demo(join(scratch, `cold-${n++}`)));
    const coldWithoutTemplate = repeat(1, () =>
      demo(join(scratch, `first-${n++}`), { ALEX_TEMPLATE_DIR: mkdtempSync(join(scratch, "no-template-")) }),
    );
    return { help, warm, cold, coldWithoutTemplate, loadAverage: loadavg() };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await measureStartUp(Number(process.argv[2] ?? 3));
  const row = (name: string, f: Figure, target: string) =>
    `${name.padEnd(34)} min ${(f.minMs / 1000).toFixed(2)} s  median ${(f.medianMs / 1000).toFixed(2)} s  CPU ${(f.minCpuMs / 1000).toFixed(2)} s  peak RSS ${f.peakRssMb.toFixed(0)} MB  (target ${target})`;
  console.log(row("alex --help", figures.help, "≤ 0.3 s"));
  console.log(row("warm alex demo (existing database)", figures.warm, "≤ 2.5 s"));
  console.log(row("cold alex demo (new database)", figures.cold, "≤ 6 s, ≤ 600 MB"));
  console.log(row("cold, no template yet (first run)", figures.coldWithoutTemplate, "once per machine"));
  console.log(`load average: ${figures.loadAverage.map((l) => l.toFixed(2)).join(" ")}`);
}
