import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { PgliteDb } from "../../lib/db/pglite.js";
import { unfinishedJobs } from "./support.js";

/**
 * A real `alex analyze` process is killed (SIGKILL: no handler runs) while its tagger waits on the
 * model; the next command on that database finds the owner gone and fails the job as "interrupted".
 * The model is a local HTTP server that accepts the call and never answers, so the kill lands mid-job.
 */
let root: string;
let server: Server;
let modelUrl: string;
let calls = 0;
const callArrived: (() => void)[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "alex-kill-"));
  cpSync(inject("dbTemplateDir"), join(root, "db"), { recursive: true });
  writeFileSync(
    join(root, "portfolio.json"),
    JSON.stringify({
      user: { id: "killed-user", display_name: "Killed" },
      accounts: [
        {
          name: "Taxable",
          type: "taxable",
          positions: [
            { symbol: "SPY", quantity: 10 },
            { symbol: "ZZNEW", quantity: 5, name: "New Fund", price: 10 },
          ],
        },
      ],
    }),
  );
  server = createServer(() => {
    calls++;
    callArrived.shift()?.();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  modelUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

const env = () => ({
  ...process.env,
  ALEX_MODEL: "openai-compatible:hanging",
  OPENAI_BASE_URL: modelUrl,
  OPENAI_API_KEY: "test",
  ALEX_LOG_LEVEL: "SILENT",
});
const alex = (args: string[]) => [join("bin", "alex.mjs"), ...args, "--db", join(root, "db")];

function runUntilModelCalled(child: ChildProcess): Promise<string> {
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    callArrived.push(() => resolve(stderr));
    child.on("exit", (code) => reject(new Error(`alex exited (${code}) before calling the model:\n${stderr}`)));
  });
}

describe("a process killed mid-job", () => {
  it("leaves a job the next command reports failed as interrupted", async () => {
    const child = spawn(
      process.execPath,
      alex(["analyze", "--portfolio", join(root, "portfolio.json"), "--out", join(root, "out")]),
      { env: env() },
    );
    const stderr = await runUntilModelCalled(child);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    const jobId = /Job ([0-9a-f-]{36}) for killed-user/.exec(stderr)?.[1];
    expect(jobId, stderr).toBeDefined();
    expect(stderr).toContain("✓ Prepare job");
    expect(stderr).not.toContain("✓ Tag instruments");
    expect(calls).toBe(1);

    const show = spawnSync(process.execPath, alex(["show", jobId!, "--json"]), { env: env(), encoding: "utf8" });
    expect(show.status, show.stderr).toBe(0);
    const job = JSON.parse(show.stdout) as { status: string; error_message: string };
    expect(job.status).toBe("failed");
    expect(job.error_message).toMatch(
      new RegExp(`^interrupted: the process that ran this job \\(pid ${child.pid} on `),
    );
    expect(show.stderr).toContain(`Job ${jobId} failed: interrupted`);
    const db = await PgliteDb.open(join(root, "db"));
    try {
      expect(await unfinishedJobs(db)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 300_000);
});
