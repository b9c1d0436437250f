import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `sst deploy` runs `nodejs.plugins` through SST's own plugin runner (a Node process fed one JSON message per
 * resolve), not esbuild's API: this drives that runner with stacks/bundle-plugins.mjs, as SST's Go side does.
 */
const RUNNER = resolve(".sst/platform/functions/nodejs-runtime/plugin.mjs");
const PLUGINS = resolve("stacks/bundle-plugins.mjs");
const installed = existsSync(RUNNER);

if (!installed && process.env.ALEX_REQUIRE_SST_PLATFORM === "1") {
  describe("bundle plugins under SST's plugin runner", () => {
    it("needs `sst install` (ALEX_REQUIRE_SST_PLATFORM=1)", () => {
      expect.fail(`${RUNNER} is missing`);
    });
  });
}

describe.skipIf(!installed)("bundle plugins under SST's plugin runner (needs `sst install`)", () => {
  const runner = spawn(process.execPath, [RUNNER, PLUGINS], { stdio: ["pipe", "pipe", "inherit"] });
  const replies = new Map<number, (value: { path?: string }) => void>();
  let nextId = 0;

  beforeAll(() => {
    createInterface({ input: runner.stdout }).on("line", (line) => {
      const { id, value } = JSON.parse(line) as { id: number; value: { path?: string } };
      replies.get(id)?.(value);
    });
  });
  afterAll(() => {
    runner.kill();
  });

  /** What the runner answers to a resolve message shaped like SST's (the args under `value`). */
  const resolvePath = (path: string, importer = resolve("lib/agents/common.ts")) =>
    new Promise<string | undefined>((done) => {
      const id = nextId++;
      replies.set(id, (value) => done(value.path));
      runner.stdin.write(
        `${JSON.stringify({ id, command: "resolve", value: { path, importer, kind: "import-statement" } })}\n`,
      );
    });

  it("points the Agents SDK's umbrella package at agents-core", async () => {
    expect(await resolvePath("@openai/agents")).toMatch(/@openai\/agents-core\/dist\/index\.m?js$/);
    expect(await resolvePath("@openai/agents/utils")).toMatch(/@openai\/agents-core\/dist\/utils/);
  });

  it("stubs the MCP client and zod's other locales, and leaves everything else alone", async () => {
    expect(await resolvePath("@modelcontextprotocol/client")).toBe(resolve("stacks/bundle-stub-mcp-client.cjs"));
    const zodCore = resolve("node_modules/zod/v4/classic/external.js");
    expect(await resolvePath("../locales/index.js", zodCore)).toBe(resolve("stacks/bundle-stub-zod-locales.mjs"));
    expect(await resolvePath("../locales/index.js")).toBeUndefined();
    expect(await resolvePath("zod")).toBeUndefined();
    expect(await resolvePath("@openai/agents-extensions/ai-sdk")).toBeUndefined();
  });
});
