/**
 * `npm test` wall time. Too heavy to run inside the bench by default: the figure is read from the last
 * `vitest run --reporter=json --outputFile=test-output/vitest.json`, and the suite is run only with --with-tests
 * (then as `npm test` itself, its script's projects included, with its CPU time from GNU time when installed).
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";

export const VITEST_JSON = "test-output/vitest.json";

export interface SuiteRun {
  wallMs: number;
  tests: number;
  passed: boolean;
  /** When that run started (ISO). */
  date: string;
  /** "bench" when the bench ran it, else the file it was read from. */
  source: string;
  /** CPU time of the whole run (user + system of every process), ms, when the bench ran it under GNU time. */
  cpuMs?: number;
}

interface VitestJson {
  startTime: number;
  numTotalTests: number;
  success: boolean;
  testResults: { endTime?: number }[];
}

/** The last recorded run, if its JSON report is present. */
export function lastSuiteRun(file = VITEST_JSON): SuiteRun | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
  const lastFileEnd = Math.max(0, ...report.testResults.map((r) => r.endTime ?? 0));
  return {
    wallMs: (lastFileEnd > 0 ? lastFileEnd : statSync(file).mtimeMs) - report.startTime,
    tests: report.numTotalTests,
    passed: report.success,
    date: new Date(report.startTime).toISOString(),
    source: file,
  };
}

const GNU_TIME = "/usr/bin/time";

/** Runs `npm test` once (writing {@link VITEST_JSON}) and times the process. */
export function runSuite(): Promise<SuiteRun> {
  const npmTest = ["npm", "test", "--", "--reporter=json", `--outputFile=${VITEST_JSON}`];
  const withTime = existsSync(GNU_TIME);
  const [file, args] = withTime ? [GNU_TIME, ["-f", "cpu %U %S", ...npmTest]] : ["npm", npmTest.slice(1)];
  rmSync(VITEST_JSON, { force: true }); // a failed run must not be reported with an earlier run's figures
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
    let tail = "";
    child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      tail = (tail + chunk.toString()).slice(-200);
    });
    child.on("error", reject);
    child.on("close", () => {
      const wallMs = performance.now() - start;
      const report = lastSuiteRun();
      if (!report) return reject(new Error(`npm test wrote no ${VITEST_JSON}`));
      const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(tail);
      const cpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined;
      resolve({ ...report, wallMs, cpuMs, source: "bench" });
    });
  });
}
