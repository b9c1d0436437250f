// @ts-check
/**
 * Mutation testing of the core's money, allocation, retirement and pipeline rules (`npm run test:mutation`, on
 * demand, not in CI). One file at a time: `npm run test:mutation -- --mutate lib/portfolio/money.ts`.
 * Scores and the survivors left: docs/testing.md.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false, pool: "forks" },
  mutate: [
    "lib/portfolio/money.ts",
    "lib/portfolio/valuation.ts",
    "lib/portfolio/allocation.ts",
    "lib/retirement/simulation.ts",
    "lib/retirement/closed-form.ts",
    "lib/agents/plan-rules.ts",
    "lib/agents/fact-check.ts",
    "lib/pipeline/finalize.ts",
    "lib/pipeline/quality-gate.ts",
  ],
  coverageAnalysis: "perTest",
  // The machine is shared: one or two test processes, never one per core.
  concurrency: 2,
  timeoutMS: 30_000,
  // The first run (all covering tests, with coverage) takes minutes on a busy machine.
  dryRunTimeoutMinutes: 30,
  incremental: true,
  incrementalFile: "reports/stryker-incremental.json",
  ignorePatterns: ["out", ".alex", ".sst", "reports", "test-output", "scratch", "docs", "examples/**/*.pdf"],
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "reports/mutation/mutation.html" },
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: "always",
};
