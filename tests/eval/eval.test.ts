import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { compareRuns, type EvalRun, evalTable, personaFiles, runEval } from "../../scripts/eval.js";
import { offlineConfig } from "../support/agents.js";
import { testDb } from "../support/db.js";

// The eval set offline, with fixed expectations: every persona's gate result, fact-check and review
// findings, score and model calls (tests/eval/offline-expected.json; regenerate it from `npm run eval`'s
// eval.json when a change is meant to move them, and say why in the commit).

const EXPECTED: Record<string, Record<string, unknown>> = JSON.parse(
  readFileSync(new URL("./offline-expected.json", import.meta.url), "utf8"),
);

describe("npm run eval, offline", () => {
  let db: PgliteDb;
  let run: EvalRun;

  beforeAll(async () => {
    db = await testDb();
    run = await runEval(db, offlineConfig(), personaFiles());
  }, 300_000);
  afterAll(() => db.close());

  it("runs every persona (at least 8) and scores each as expected", () => {
    expect(run.rows.length).toBeGreaterThanOrEqual(8);
    const scored = Object.fromEntries(
      run.rows.map(({ persona, status, gate_reasons, fact_check, review_findings, score, calls }) => [
        persona,
        { status, gate_reasons, fact_check, review_findings, score, calls },
      ]),
    );
    expect(scored).toEqual(EXPECTED);
  });

  it("prints a table with every persona and the totals, and compares two runs figure by figure", () => {
    const table = evalTable(run);
    for (const row of run.rows) expect(table).toContain(`| ${row.persona}`);
    expect(table).toMatch(/\| 1\d personas +\| \d+ completed/);
    const worse: EvalRun = {
      ...run,
      rows: run.rows.map((r, i) => (i === 0 ? { ...r, status: "needs_review", calls: r.calls + 3, score: 40 } : r)),
    };
    const first = run.rows[0];
    const compared = compareRuns(run, worse)
      .split("\n")
      .find((line) => line.startsWith(`| ${first.persona} `));
    expect(compared).toContain(`${first.status} → needs_review`);
    expect(compared).toContain("+3");
    const figures = compareRuns(run, run)
      .split("\n")
      .slice(2, 2 + run.rows.length)
      .flatMap((line) =>
        line
          .split("|")
          .slice(3, -1)
          .map((cell) => cell.trim()),
      );
    expect(new Set(figures)).toEqual(new Set(["="]));
  });
});
