import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * Issue 23 part 2: a database is built in a temporary directory and renamed into place, so a kill while
 * it is created leaves no half database: the next command creates it and works. A directory that holds
 * part of a database (as a creation killed by an older version left it) gets a message saying what to do.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "alex-create-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  ALEX_MODEL: "offline",
  ALEX_DB: "pglite",
  ALEX_LOG_LEVEL: "SILENT",
  ...extra,
});
const jobs = (dbDir: string) => [join("bin", "alex.mjs"), "jobs", "--db", dbDir];

function pausedAt(child: ChildProcess, point: string): Promise<void> {
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
      if (stderr.includes(`alex-fault: paused at ${point}\n`)) resolve();
    });
    child.on("exit", (code) => reject(new Error(`alex exited (${code}) before pausing at ${point}:\n${stderr}`)));
  });
}

describe("a database creation killed (SIGKILL)", () => {
  it.each(["db-initialised", "db-built"])(
    "at %s leaves no half database; the next command creates it and works",
    async (point) => {
      const dbDir = join(root, `db-${point}`);
      const child = spawn(process.execPath, jobs(dbDir), { env: env({ ALEX_FAULT_PAUSE: point }) });
      await pausedAt(child, point);
      const exited = new Promise((resolve) => child.on("exit", resolve));
      child.kill("SIGKILL");
      await exited;
      expect(existsSync(dbDir)).toBe(false);
      expect(readdirSync(root).filter((name) => name.startsWith(`db-${point}.creating-`))).toHaveLength(1);

      const next = spawnSync(process.execPath, jobs(dbDir), { env: env(), encoding: "utf8" });
      expect(next.status, next.stderr).toBe(0);
      expect(existsSync(join(dbDir, "global", "pg_control"))).toBe(true);
      expect(readdirSync(root).filter((name) => name.startsWith(`db-${point}.creating-`))).toEqual([]);
      const again = spawnSync(process.execPath, jobs(dbDir), { env: env(), encoding: "utf8" });
      expect(again.status, again.stderr).toBe(0);
    },
    300_000,
  );
});

describe("a directory that is not a complete database", () => {
  it("is refused with what to do, and left as it is", () => {
    const dbDir = join(root, "half");
    mkdirSync(join(dbDir, "base"), { recursive: true });
    writeFileSync(join(dbDir, "PG_VERSION"), "17\n");
    const run = spawnSync(process.execPath, jobs(dbDir), { env: env(), encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${dbDir} is not a complete database`);
    expect(run.stderr).toContain("global/pg_control");
    expect(run.stderr).toContain(`rm -rf "${dbDir}"`);
    expect(readdirSync(dbDir).sort()).toEqual(["PG_VERSION", "base"]);
  }, 120_000);

  it("an empty directory is simply where the new database goes", () => {
    const dbDir = join(root, "empty");
    mkdirSync(dbDir);
    const run = spawnSync(process.execPath, jobs(dbDir), { env: env(), encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(dbDir, "PG_VERSION"))).toBe(true);
  }, 120_000);
});
