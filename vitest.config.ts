import { defineConfig } from "vitest/config";

/**
 * Files that only call pure code (or fakes they restore): they share a worker's module cache instead of
 * re-importing everything per file, which is most of their cost.
 */
const SHARED_WORKER = [
  "tests/architecture/**/*.test.ts",
  "tests/charts/**/*.test.ts",
  "tests/knowledge/**/*.test.ts",
  "tests/models/**/*.test.ts",
  "tests/output/**/*.test.ts",
  "tests/portfolio/**/*.test.ts",
  "tests/retirement/**/*.test.ts",
];

export default defineConfig({
  test: {
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default is one worker less than the cores: on a 2-core machine one file at a time, while many
    // files mostly wait (child processes, Chromium, the load test's compressed quota minutes).
    maxWorkers: 2,
    env: { ALEX_LOG_LEVEL: "SILENT" },
    projects: [
      { extends: true, test: { name: "unit", include: SHARED_WORKER, isolate: false } },
      { extends: true, test: { name: "isolated", include: ["tests/**/*.test.ts"], exclude: SHARED_WORKER } },
    ],
  },
});
