import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default is one worker less than the cores: on a 2-core machine one file at a time, while many
    // files mostly wait (child processes, Chromium, the load test's compressed quota minutes).
    maxWorkers: 2,
    env: { OPENAI_AGENTS_DISABLE_TRACING: "1", ALEX_LOG_LEVEL: "SILENT" },
  },
});
