import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    env: { OPENAI_AGENTS_DISABLE_TRACING: "1", ALEX_LOG_LEVEL: "SILENT" },
  },
});
