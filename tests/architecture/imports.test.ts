import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs");
const CONFIG = join(ROOT, ".dependency-cruiser.cjs");

/** The arguments of `npm run check:imports`, so the test checks exactly what the script checks. */
function scriptArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const [command, ...args] = pkg.scripts["check:imports"].split(/\s+/);
  expect(command).toBe("depcruise");
  return args;
}

function depcruise(cwd: string, args: string[]) {
  const run = spawnSync(process.execPath, [DEPCRUISE, ...args], { cwd, encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("imports point down (.dependency-cruiser.cjs)", () => {
  it("holds for the whole tree: no cycles, no import up a layer", () => {
    const { status, output } = depcruise(ROOT, scriptArgs());
    expect(output).not.toMatch(/error/);
    expect(status).toBe(0);
  }, 180_000);

  it("fails when core lib/ code imports from functions/", () => {
    const fixture = join(ROOT, "tests/fixtures/imports");
    const { status, output } = depcruise(fixture, ["lib", "functions", "--config", CONFIG, "--output-type", "err"]);
    expect(status).not.toBe(0);
    expect(output).toContain("lib-not-to-edges: lib/portfolio/valuation.ts → functions/handler.ts");
  }, 180_000);

  it("does not need generated folders: a missing .sst/ passes, any other unresolvable import fails", () => {
    const fixture = join(ROOT, "tests/fixtures/generated");
    const { status, output } = depcruise(fixture, ["sst.config.ts", "--config", CONFIG, "--output-type", "err"]);
    expect(status).not.toBe(0);
    expect(output).toContain("no-unresolvable: sst.config.ts → ./no-such-module.js");
    expect(output).not.toContain(".sst/platform");
  }, 180_000);
});
