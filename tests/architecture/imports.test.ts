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

/** The fixture's deliberate violations (tests/fixtures/imports), checked once for every case below. */
let brokenRun: ReturnType<typeof depcruise> | undefined;
function brokenFixture() {
  brokenRun ??= depcruise(join(ROOT, "tests/fixtures/imports"), [
    "lib",
    "functions",
    "--config",
    CONFIG,
    "--output-type",
    "err",
  ]);
  return brokenRun;
}

describe("imports point down (.dependency-cruiser.cjs)", () => {
  it("holds for the whole tree: no cycles, no import up a layer", () => {
    const { status, output } = depcruise(ROOT, scriptArgs());
    expect(output).not.toMatch(/error/);
    expect(status).toBe(0);
  }, 180_000);

  it("fails when core lib/ code imports from functions/", () => {
    const { status, output } = brokenFixture();
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

  it("fails when lib/scale (core) imports up into lib/tracing (agents)", () => {
    expect(brokenFixture().output).toContain("core-not-to-agents: lib/scale/pipeline-model.ts → lib/tracing/cost.ts");
  }, 180_000);

  it("fails when two lib/ folders import each other, even with no module cycle", () => {
    const { output } = brokenFixture();
    expect(output).toMatch(/no-mutual-folders: lib\/portfolio →\s+lib\/retirement →\s+lib\/portfolio/);
    expect(output).not.toContain("no-circular");
  }, 180_000);

  it("fails when a lib/ folder is in no layer", () => {
    expect(brokenFixture().output).toContain("lib-module-in-a-layer: lib/widgets/widget.ts → lib/portfolio/types.ts");
  }, 180_000);
});
