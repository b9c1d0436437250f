/**
 * `npm test` wall time. Too heavy to run inside the bench by default: the figure is read from the last
 * `vitest run --reporter=json --outputFile=test-output/vitest.json`, and the suite is run only with --with-tests.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";

export const VITEST_JSON = "test-output/vitest.json";

export interface SuiteRun {
  wallMs: number;
  tests: number;
  passed: boolean;
  /** When that run started (ISO). */
  date: string;
  /** "bench" when the bench ran it, else the file it was read from. */
  source: string;
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

/** Runs the whole suite once (writing {@link VITEST_JSON}) and times the process. */
export function runSuite(): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      ["node_modules/vitest/vitest.mjs", "run", "--reporter=json", `--outputFile=${VITEST_JSON}`],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    child.on("error", reject);
    child.on("close", () => {
      const wallMs = performance.now() - start;
      const report = lastSuiteRun();
      if (!report) return reject(new Error(`vitest wrote no ${VITEST_JSON}`));
      resolve({ ...report, wallMs, source: "bench" });
    });
  });
}
