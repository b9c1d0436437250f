import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The unit tests that cover the files `npm run test:mutation` mutates (see stryker.config.mjs), fastest first: pure
 * code, then Finalize's PGlite database. No browser, fault, CLI or infrastructure suites. Each mutant reruns the
 * tests that reach it until one fails, so this list and its order are what a mutation run costs.
 *
 * Left out: suites that compute outside their tests (in a describe body or beforeAll: tests/retirement/rules,
 * outlook and what-it-takes, tests/portfolio/valuation and portfolio-file, tests/agents/fact-check). Stryker counts
 * code reached there as reached by every test, so each of its mutants would rerun all of them (hours on this
 * machine). They still run in `npm test`; the scores here are what the listed tests alone catch.
 */
const TESTS = [
  "tests/portfolio/money.test.ts",
  "tests/portfolio/valuation-figures.test.ts",
  "tests/portfolio/allocation.test.ts",
  "tests/agents/plan-rules.test.ts",
  "tests/agents/fact-check-figures.test.ts",
  "tests/retirement/closed-form.test.ts",
  "tests/retirement/simulation-figures.test.ts",
  "tests/retirement/simulation.test.ts",
  "tests/retirement/slices.test.ts",
  "tests/pipeline/finalize-gate.test.ts",
  "tests/pipeline/finalize.test.ts",
];

/**
 * `ALEX_MUTATION_TESTS=tests/a.test.ts,tests/b.test.ts`: only those files of `TESTS`, for a file no other test
 * reaches (finalize, quality gate, fact-check). Unlike Stryker's `--testFiles`, which activates module-level
 * ("static") mutants only after their module has loaded, so that every one of them survives (stryker-js #6144).
 */
function selected(): string[] {
  const only = process.env.ALEX_MUTATION_TESTS?.split(",").map((file) => file.trim());
  const unknown = only?.filter((file) => !TESTS.includes(file)) ?? [];
  if (unknown.length > 0)
    throw new Error(`ALEX_MUTATION_TESTS: not in vitest.mutation.config.ts: ${unknown.join(", ")}`);
  return only ?? TESTS;
}

/** Runs the files in the order of `TESTS` (Vitest's default runs the slowest first). */
class ListedOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => TESTS.findIndex((test) => file.moduleId.endsWith(test));
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    include: selected(),
    sequence: { sequencer: ListedOrder },
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: { OPENAI_AGENTS_DISABLE_TRACING: "1", ALEX_LOG_LEVEL: "SILENT" },
  },
});
