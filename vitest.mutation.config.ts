import { defineConfig } from "vitest/config";

/**
 * The unit tests that cover the files `npm run test:mutation` mutates (see stryker.config.mjs): pure code and one
 * PGlite database for Finalize. No browser, fault, CLI or infrastructure suites: each mutant reruns the tests that
 * reach it, so this list is what a mutation run costs.
 */
export default defineConfig({
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    include: [
      "tests/portfolio/**/*.test.ts",
      "tests/retirement/**/*.test.ts",
      "tests/agents/fact-check.test.ts",
      "tests/agents/plan-rules.test.ts",
      "tests/pipeline/finalize.test.ts",
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: { OPENAI_AGENTS_DISABLE_TRACING: "1", ALEX_LOG_LEVEL: "SILENT" },
  },
});
