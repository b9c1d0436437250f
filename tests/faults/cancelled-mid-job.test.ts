import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SIGNAL_EXIT_CODES } from "../../cli/job-signals.js";
import { P } from "../../lib/db/driver.js";
import { PgliteDb } from "../../lib/db/pglite.js";
import { unfinishedJobs } from "./support.js";

/**
 * Ctrl-C (SIGINT) or `kill` (SIGTERM) while a real `alex analyze` waits on the model: the CLI fails the
 * job as "cancelled" before it exits, with the shell's code for the signal (128 + its number: 130, 143).
 * The model is a local HTTP server that accepts the call and never answers, so the signal lands while
 * the job is running (at Tag instruments). The database is then opened directly, not through the CLI,
 * so what it holds is what the cancelled process wrote (no "interrupted" clean-up on open).
 */
let root: string;
let server: Server;
let modelUrl: string;
const callArrived: (() => void)[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "alex-cancel-"));
  writeFileSync(
    join(root, "portfolio.json"),
    JSON.stringify({
      user: { id: "cancelled-user", display_name: "Cancelled" },
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
  server = createServer(() => callArrived.shift()?.());
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  modelUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

/** A database directory of its own, from the migrated and seeded template. */
async function freshDbDir(name: string): Promise<string> {
  const dir = join(root, name);
  cpSync(inject("dbTemplateDir"), dir, { recursive: true });
  return dir;
}

function analyze(dbDir: string): ChildProcess {
  const args = ["analyze", "--portfolio", join(root, "portfolio.json"), "--out", join(root, "out"), "--db", dbDir];
  return spawn(process.execPath, [join("bin", "alex.mjs"), ...args], {
    env: {
      ...process.env,
      ALEX_MODEL: "openai-compatible:hanging",
      OPENAI_BASE_URL: modelUrl,
      OPENAI_API_KEY: "test",
      ALEX_LOG_LEVEL: "SILENT",
    },
  });
}

type Exit = { code: number | null; signal: NodeJS.Signals | null; stderr: string };

/** Sends `signal` once the child calls the model (its job is running), and resolves when it exits. */
function signalWhenRunning(child: ChildProcess, signal: NodeJS.Signals): Promise<Exit> {
  let stderr = "";
  let signalled = false;
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    callArrived.push(() => {
      signalled = true;
      child.kill(signal);
    });
    child.on("exit", (code, exitSignal) => {
      if (!signalled) reject(new Error(`alex exited (${code}) before calling the model:\n${stderr}`));
      else resolve({ code, signal: exitSignal, stderr });
    });
  });
}

describe("a run cancelled by a signal", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "%s fails the job as cancelled before the process exits",
    async (signal) => {
      const dbDir = await freshDbDir(`db-${signal}`);
      const exit = await signalWhenRunning(analyze(dbDir), signal);
      const jobId = /Job ([0-9a-f-]{36}) for cancelled-user/.exec(exit.stderr)?.[1];
      expect(jobId, exit.stderr).toBeDefined();
      expect(exit.stderr).toContain("✓ Prepare job");
      expect(exit.stderr).not.toContain("✓ Tag instruments");
      expect(exit.stderr).toContain(`Job ${jobId} failed: cancelled (${signal})`);
      // Exited by its own handler with 128 + the signal's number, not killed by the signal.
      expect({ code: exit.code, signal: exit.signal }).toEqual({ code: SIGNAL_EXIT_CODES[signal], signal: null });
      expect(SIGNAL_EXIT_CODES[signal]).toBe(signal === "SIGINT" ? 130 : 143);

      const db = await PgliteDb.open(dbDir);
      try {
        const { rows } = await db.query<{ status: string; error_message: string; completed_at: string | null }>(
          "SELECT status, error_message, completed_at FROM jobs WHERE id = :id::uuid",
          { id: P.uuid(jobId!) },
        );
        expect(rows).toEqual([
          {
            status: "failed",
            error_message: `cancelled: the run received ${signal} before the job ended`,
            completed_at: expect.any(String),
          },
        ]);
        expect(await unfinishedJobs(db)).toEqual([]);
      } finally {
        await db.close();
      }
    },
    300_000,
  );
});
