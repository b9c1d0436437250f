import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MAX_QUEUED_JOBS } from "../../console/server.js";
import { PgliteDb } from "../../lib/db/pglite.js";
import { unfinishedJobs } from "./support.js";

/**
 * Issue 23 parts 1 and 4 on a real `alex serve`: its queue is the database's and bounded (429 past it),
 * Ctrl-C fails its running and queued jobs as "cancelled", and bound beyond loopback it keeps its Host
 * allow-list and needs the token it printed. The model is a local server that never answers, so the
 * first job stays running while the others queue.
 */
let root: string;
let model: Server;
let modelUrl: string;
const callArrived: (() => void)[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "alex-serve-"));
  model = createServer(() => callArrived.shift()?.());
  await new Promise<void>((resolve) => model.listen(0, "127.0.0.1", resolve));
  modelUrl = `http://127.0.0.1:${(model.address() as { port: number }).port}/v1`;
});
afterAll(async () => {
  model.closeAllConnections();
  await new Promise((resolve) => model.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

interface Console {
  child: ChildProcess;
  url: URL;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startConsole(name: string, extra: string[] = []): Promise<Console & { dbDir: string }> {
  const dbDir = join(root, name);
  cpSync(inject("dbTemplateDir"), dbDir, { recursive: true });
  const child = spawn(process.execPath, [join("bin", "alex.mjs"), "serve", "--port", "0", "--db", dbDir, ...extra], {
    env: {
      ...process.env,
      ALEX_DB: "pglite",
      ALEX_MODEL: "openai-compatible:hanging",
      OPENAI_BASE_URL: modelUrl,
      OPENAI_API_KEY: "test",
      ALEX_LOG_LEVEL: "SILENT",
    },
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<URL>((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      const found = /Alex console: (\S+)/.exec(stdout)?.[1];
      if (found) resolve(new URL(found));
    });
    exit.then(({ code }) => reject(new Error(`alex serve exited (${code}):\n${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exit, dbDir };
}

/** A raw HTTP request (fetch cannot set Host), to 127.0.0.1 at the console's port. */
function raw(port: string, path: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, headers: res.headers });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("alex serve", () => {
  it("queues in the database up to its bound (then 429), and Ctrl-C fails every job it holds as cancelled", async () => {
    const serve = await startConsole("db-queue");
    const base = `http://127.0.0.1:${serve.url.port}`;
    const post = () =>
      fetch(`${base}/analyze`, {
        method: "POST",
        redirect: "manual",
        headers: { origin: base, "content-type": "application/x-www-form-urlencoded" },
        body: "demo=1",
      });
    const modelCalled = new Promise<void>((resolve) => callArrived.push(resolve));
    expect((await post()).status).toBe(303);
    await modelCalled; // the first job is running, waiting on the model
    for (let i = 0; i < MAX_QUEUED_JOBS; i++) expect((await post()).status).toBe(303);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.text()).toContain(`${MAX_QUEUED_JOBS} analyses are already waiting`);

    serve.child.kill("SIGINT");
    expect(await serve.exit).toEqual({ code: 130, signal: null });
    expect(serve.stderr()).toMatch(/failed: cancelled \(SIGINT\)/);

    const db = await PgliteDb.open(serve.dbDir);
    try {
      const { rows } = await db.query<{ status: string; error_message: string; n: number }>(
        "SELECT status, error_message, COUNT(*)::int AS n FROM jobs GROUP BY status, error_message",
      );
      expect(rows).toEqual([
        {
          status: "failed",
          error_message: "cancelled: the console received SIGINT before the job ended",
          n: MAX_QUEUED_JOBS + 1,
        },
      ]);
      expect(await unfinishedJobs(db)).toEqual([]);
    } finally {
      await db.close();
    }
  }, 300_000);

  it("beyond loopback keeps its Host allow-list (--allow-host) and needs the token it printed", async () => {
    const serve = await startConsole("db-open", ["--host", "0.0.0.0", "--allow-host", "alex.lan"]);
    try {
      const token = serve.url.searchParams.get("token");
      expect(token).toMatch(/^[\w-]{32}$/);
      const port = serve.url.port;
      expect((await raw(port, `/?token=${token}`, { host: `evil.example:${port}` })).status).toBe(421);
      expect((await raw(port, "/", { host: `127.0.0.1:${port}` })).status).toBe(401);
      expect((await raw(port, "/?token=wrong", { host: `alex.lan:${port}` })).status).toBe(401);
      const first = await raw(port, `/?token=${token}`, { host: `alex.lan:${port}` });
      expect(first.status).toBe(303);
      expect(String(first.headers["set-cookie"])).toContain("HttpOnly");
      expect((await raw(port, "/", { host: `alex.lan:${port}`, authorization: `Bearer ${token}` })).status).toBe(200);
      expect(serve.stderr()).toContain("--allow-host NAME");
    } finally {
      serve.child.kill("SIGTERM");
      expect(await serve.exit).toEqual({ code: 143, signal: null });
    }
  }, 300_000);
});
