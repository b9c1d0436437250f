import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** The system Node on this kind of machine is 20 (the project brings 22 as a devDependency). */
const SYSTEM_NODE = "/usr/bin/node";
const systemVersion = existsSync(SYSTEM_NODE)
  ? spawnSync(SYSTEM_NODE, ["--version"], { encoding: "utf8" }).stdout.trim()
  : "";
const tooOld = /^v(1\d|20|21)\./.test(systemVersion) || /^v22\.([0-9]|1[01])\./.test(systemVersion);
if (!tooOld) console.warn(`SKIPPED: no Node older than 22.12 at ${SYSTEM_NODE} (found "${systemVersion || "none"}")`);

describe("an unsupported Node", () => {
  it.skipIf(!tooOld)("is refused at start, in one line saying how to run the CLI, before any command runs", () => {
    const run = spawnSync(SYSTEM_NODE, [join("bin", "alex.mjs"), "demo", "--db", "/nonexistent/never-created"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`Node ${systemVersion.slice(1)} is too old (needs >=22.12`);
    expect(lines[0]).toContain("npx alex");
    expect(existsSync("/nonexistent/never-created")).toBe(false);
  });

  it("is not refused under the project's own Node", () => {
    const run = spawnSync(process.execPath, [join("bin", "alex.mjs"), "definition"], { encoding: "utf8" });
    expect(run.stderr).not.toContain("too old");
    expect(run.status, run.stderr).toBe(0);
  });
});
