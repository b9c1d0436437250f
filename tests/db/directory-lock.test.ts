import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { acquireDirectoryLock, bootId, thisProcessIdentity } from "../../lib/db/directory-lock.js";

const root = mkdtempSync(join(tmpdir(), "alex-lock-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const deadPid = () => spawnSync(process.execPath, ["-e", ""]).pid!;

function racer(dir: string, startAt: number, holdMs: number): Promise<string> {
  const child = spawn(process.execPath, [
    "--import",
    "tsx",
    "tests/support/lock-racer.ts",
    dir,
    String(startAt),
    String(holdMs),
  ]);
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  child.stderr.on("data", (chunk) => (out += chunk));
  return new Promise((resolve) => child.on("close", () => resolve(out.trim())));
}

describe("the database directory lock", () => {
  it("lets exactly one of two processes take over a stale lock at the same instant", async () => {
    const rounds = [0, 1, 2].map((i) => join(root, `race-${i}`));
    for (const dir of rounds) writeFileSync(`${dir}.lock`, JSON.stringify({ pid: deadPid(), token: `stale-${dir}` }));
    const startAt = Date.now() + 4000;
    const results = await Promise.all(
      rounds.map((dir) => Promise.all([racer(dir, startAt, 1500), racer(dir, startAt, 1500)])),
    );
    for (const outcomes of results) {
      expect(
        outcomes.filter((o) => o === "locked"),
        outcomes.join(" | "),
      ).toHaveLength(1);
      expect(outcomes.find((o) => o !== "locked")).toMatch(/^refused: The database at .* is in use by process \d+/);
    }
  }, 60_000);

  it("takes a free lock and a stale one, refuses a live holder, and releases only its own lock", () => {
    const dir = join(root, "plain");
    const release = acquireDirectoryLock(dir);
    expect(() => acquireDirectoryLock(dir)).toThrow(`is in use by process ${process.pid}`);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);

    writeFileSync(`${dir}.lock`, String(deadPid()));
    const again = acquireDirectoryLock(dir);
    again();
    expect(readdirSync(root).filter((f) => f.startsWith("plain") && f.endsWith(".tmp"))).toEqual([]);
  });

  it("recovers when the process taking over a stale lock died midway", () => {
    const dir = join(root, "half");
    const stale = { pid: deadPid(), token: "t1" };
    writeFileSync(`${dir}.lock`, JSON.stringify(stale));
    writeFileSync(
      `${dir}.lock.takeover.${createHash("sha256").update("t1").digest("hex").slice(0, 32)}`,
      String(deadPid()),
    );
    const release = acquireDirectoryLock(dir);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("takes over a lock whose pid was reused (pid 1 after a container restart: alive, started at another time)", () => {
    const dir = join(root, "reused");
    const started = new Date(Date.now() - 3_600_000).toISOString();
    writeFileSync(`${dir}.lock`, JSON.stringify({ pid: 1, token: "t-reused", boot_id: bootId(), started_at: started }));
    const release = acquireDirectoryLock(dir);
    release();
    expect(existsSync(`${dir}.lock`)).toBe(false);
  });

  it("takes over a lock from before a reboot (another boot id), even when its pid is alive again", () => {
    const dir = join(root, "rebooted");
    const holder = { ...thisProcessIdentity(), boot_id: "00000000-0000-0000-0000-000000000000", token: "t-boot" };
    writeFileSync(`${dir}.lock`, JSON.stringify(holder));
    acquireDirectoryLock(dir)();
  });

  it("refuses a lock whose holder is this very process (same boot, pid and start time), whatever its host name", () => {
    const dir = join(root, "live");
    const holder = { ...thisProcessIdentity(), host: "renamed-host", token: "t-live" };
    writeFileSync(`${dir}.lock`, JSON.stringify(holder));
    expect(() => acquireDirectoryLock(dir)).toThrow(`is in use by process ${process.pid}`);
  });
});
