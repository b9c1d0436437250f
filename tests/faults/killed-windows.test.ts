import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openCliDb } from "../../cli/open-db.js";
import { loadConfig } from "../../lib/config.js";
import { bootId, thisProcessIdentity } from "../../lib/db/directory-lock.js";
import type { Db } from "../../lib/db/driver.js";
import { PgliteDb } from "../../lib/db/pglite.js";
import { createJob, type JobOwner, setJobOwner } from "../../lib/db/repositories/jobs.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { unfinishedJobs } from "./support.js";

/**
 * Issue 23 part 1: a local job is never left pending or running. A real `alex analyze` is stopped at a
 * named point (ALEX_FAULT_PAUSE: the process says so on stderr and blocks there) and killed with
 * SIGKILL, in every window of a job's life: just created, owned by the run, claimed by Prepare job,
 * after its first write (the snapshot). The next command that opens the database ends the job.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "alex-windows-"));
  writeFileSync(
    join(root, "portfolio.json"),
    JSON.stringify({
      user: { id: "window-user", display_name: "Window" },
      accounts: [{ name: "Taxable", type: "taxable", positions: [{ symbol: "SPY", quantity: 10 }] }],
    }),
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  ALEX_MODEL: "offline",
  ALEX_DB: "pglite",
  ALEX_LOG_LEVEL: "SILENT",
  ...extra,
});
const alex = (args: string[], dbDir: string) => [join("bin", "alex.mjs"), ...args, "--db", dbDir];

function freshDbDir(name: string): string {
  const dir = join(root, name);
  cpSync(inject("dbTemplateDir"), dir, { recursive: true });
  return dir;
}

/** Resolves once the child says it paused at `point`; rejects if it exits first. */
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

async function killAt(point: string, dbDir: string): Promise<number> {
  const child = spawn(
    process.execPath,
    alex(["analyze", "--portfolio", join(root, "portfolio.json"), "--out", join(root, "out")], dbDir),
    { env: env({ ALEX_FAULT_PAUSE: point }) },
  );
  await pausedAt(child, point);
  const exited = new Promise((resolve) => child.on("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return child.pid!;
}

async function jobsIn(dbDir: string) {
  const db = await PgliteDb.open(dbDir);
  try {
    const { rows } = await db.query<{ id: string; status: string; error_message: string | null }>(
      "SELECT id, status, error_message FROM jobs ORDER BY created_at",
    );
    return { rows, unfinished: await unfinishedJobs(db) };
  } finally {
    await db.close();
  }
}

describe("alex analyze killed (SIGKILL) in each window of a job", () => {
  it.each(["create", "own", "claim", "write"])(
    "killed at %s: the next command fails the job as interrupted, none left pending or running",
    async (point) => {
      const dbDir = freshDbDir(`db-${point}`);
      const pid = await killAt(point, dbDir);
      const before = await jobsIn(dbDir);
      expect(before.rows).toHaveLength(1);
      expect(before.rows[0].status).toBe(point === "create" || point === "own" ? "pending" : "running");

      const next = spawnSync(process.execPath, alex(["jobs", "--json"], dbDir), { env: env(), encoding: "utf8" });
      expect(next.status, next.stderr).toBe(0);
      const jobId = before.rows[0].id;
      expect(next.stderr).toContain(`Job ${jobId} failed: interrupted`);
      const after = await jobsIn(dbDir);
      expect(after.unfinished).toEqual([]);
      expect(after.rows[0].status).toBe("failed");
      expect(after.rows[0].error_message).toMatch(
        new RegExp(`^interrupted: the process that ran this job \\(pid ${pid} on `),
      );
    },
    300_000,
  );
});

describe("the next open judges an owner by boot id and start time, not pid and host name", () => {
  let dir: string;
  let db: Db;
  const config = loadConfig({ ALEX_DB: "pglite" });
  const me = thisProcessIdentity();
  const started = new Date(Date.now() - 60_000).toISOString();
  const cases: Record<string, { owner: JobOwner | null; createdSecondsAgo: number; ends: RegExp | null }> = {
    "a reused pid (pid 1, alive, started at another time)": {
      owner: { pid: 1, host: hostname(), boot_id: bootId(), started_at: started },
      createdSecondsAgo: 1,
      ends: /^interrupted: .*\(pid 1 on /,
    },
    "an owner from before a reboot (another boot id)": {
      owner: { ...me, boot_id: "00000000-0000-0000-0000-000000000000" },
      createdSecondsAgo: 1,
      ends: /^interrupted: /,
    },
    "an owner under an older host name, recorded without a boot id": {
      owner: { pid: 1, host: "old-host-name", boot_id: null, started_at: started },
      createdSecondsAgo: 1,
      ends: /^interrupted: .*on old-host-name/,
    },
    "no owner, pending beyond the grace period": {
      owner: null,
      createdSecondsAgo: 120,
      ends: /^abandoned: created without an owning process/,
    },
    "this live process, its host renamed since (same boot id)": {
      owner: { ...me, host: "renamed-host" },
      createdSecondsAgo: 1,
      ends: null,
    },
    "no owner, created within the grace period": { owner: null, createdSecondsAgo: 5, ends: null },
  };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = freshDbDir("db-owners");
    const setup = await PgliteDb.open(dir);
    await seedDemo(setup);
    for (const [name, { owner, createdSecondsAgo }] of Object.entries(cases)) {
      const id = await createJob(setup, { clerk_user_id: DEMO_USER_ID });
      if (owner) await setJobOwner(setup, id, owner);
      await setup.query(
        `UPDATE jobs SET created_at = NOW() - make_interval(secs => :ago)${owner ? ", status = 'running'" : ""} WHERE id = :id::uuid`,
        { id, ago: createdSecondsAgo },
      );
      ids[name] = id;
    }
    await setup.close();
    db = await openCliDb(config, { dir });
  }, 120_000);
  afterAll(() => db?.close());

  it.each(Object.keys(cases))("%s", async (name) => {
    const { rows } = await db.query<{ status: string; error_message: string | null }>(
      "SELECT status, error_message FROM jobs WHERE id = :id::uuid",
      { id: ids[name] },
    );
    const { ends } = cases[name];
    if (ends) {
      expect(rows[0].status).toBe("failed");
      expect(rows[0].error_message).toMatch(ends);
    } else expect(rows[0].status).not.toBe("failed");
  });
});
