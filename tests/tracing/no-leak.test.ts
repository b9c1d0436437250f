import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { converse, type FakeServer, startFakeServer } from "../support/fake-bedrock.js";

// Nothing leaves without being asked: the `alex` CLI, started as a person starts it (bin/alex.mjs, no
// test-only import of `@openai/agents` first, OPENAI_API_KEY set), runs a job with each model provider
// against a fake model on 127.0.0.1. A preload records every socket connect, fetch and DNS lookup
// (tests/support/record-connections.mjs). Only the model server (and the OTLP endpoint when one is set)
// may be contacted, and the job's spans must be in job_traces — also with `@openai/agents` resolved to
// agents-core, as in the Lambda bundles.

const run = promisify(execFile);
const NODE = process.execPath;
const PRELOAD = new URL("../support/record-connections.mjs", import.meta.url).pathname;
const BEDROCK = "https://bedrock-runtime.us-west-2.amazonaws.com";
const SECRET_KEY = "sk-meant-for-the-local-server-only";

interface Connection {
  kind: "socket" | "fetch" | "dns";
  host?: string;
  port?: number;
  path?: string;
  url?: string;
}

const chatCompletion = (text: string) => ({
  body: {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "local",
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 },
  },
});

let openai: FakeServer;
let bedrock: FakeServer;
let otlp: FakeServer;
let dir: string;

beforeAll(async () => {
  openai = await startFakeServer(() => chatCompletion("I can only answer in text."));
  bedrock = await startFakeServer(() => converse.text("I can only answer in text."));
  otlp = await startFakeServer(() => ({ body: {} }));
  dir = mkdtempSync(join(tmpdir(), "alex-no-leak-"));
});

afterAll(async () => {
  await Promise.all([openai?.close(), bedrock?.close(), otlp?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `alex <args>` with the connection recorder; returns stdout and what it connected to. */
async function alex(args: string[], env: Record<string, string>, name: string) {
  const log = join(dir, `${name}.jsonl`);
  const ran = run(NODE, ["--import", PRELOAD, "bin/alex.mjs", ...args], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      ALEX_LOG_LEVEL: "SILENT",
      OPENAI_API_KEY: SECRET_KEY,
      ALEX_CONNECTION_LOG: log,
      ...env,
    },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  // A job that ends needs_review exits 3: still a finished run whose stdout is the job.
  const { stdout, code } = await ran.then(
    ({ stdout }) => ({ stdout, code: 0 }),
    (error: { stdout?: string; code?: number }) => {
      if (typeof error.code !== "number" || error.code === 2 || !error.stdout) throw error;
      return { stdout: error.stdout, code: error.code };
    },
  );
  let connections: Connection[] = [];
  try {
    connections = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Connection);
  } catch {}
  return { stdout, code, connections };
}

/** Host:port or URL origin of each connection that is not to one of `allowed` (origins like http://127.0.0.1:1234). */
function unexpected(connections: Connection[], allowed: string[]): Connection[] {
  const origins = new Set(allowed.map((url) => new URL(url).origin));
  const hostPorts = new Set(allowed.map((url) => new URL(url).host));
  return connections.filter((c) => {
    if (c.kind === "fetch") return !origins.has(new URL(c.url!).origin);
    if (c.kind === "socket") return !hostPorts.has(`${c.host}:${c.port}`);
    return !allowed.some((url) => new URL(url).hostname === c.host);
  });
}

const providers = [
  {
    provider: "openai-compatible",
    env: () => ({ ALEX_MODEL: "openai-compatible:local", OPENAI_BASE_URL: `${openai.url}/v1` }),
    server: () => openai,
    allowed: () => [openai.url],
  },
  {
    provider: "bedrock",
    env: () => ({
      ALEX_MODEL: "bedrock:openai.gpt-oss-120b-1:0",
      AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
      AWS_SECRET_ACCESS_KEY: "fake-secret",
      ALEX_REDIRECT: JSON.stringify({ [BEDROCK]: bedrock.url }),
    }),
    server: () => bedrock,
    // The configured model is Bedrock's endpoint; the recorder sends it on to the fake.
    allowed: () => [BEDROCK, bedrock.url],
  },
];

describe.each([
  { path: "CLI (umbrella @openai/agents loads)", coreOnly: "0" },
  { path: "Lambda bundles (@openai/agents → agents-core)", coreOnly: "1" },
])("no request leaves but to the model: $path", ({ coreOnly }) => {
  it.each(providers)(
    "$provider",
    async ({ provider, env, server, allowed }) => {
      const name = `${provider}-${coreOnly}`;
      const settings = { ...env(), ALEX_AGENTS_CORE_ONLY: coreOnly };
      const before = server().requests.length;
      const db = join(dir, `db-${name}`);
      const analysed = await alex(
        ["analyze", "--portfolio", "examples/portfolio.json", "--db", db, "--out", join(dir, `out-${name}`), "--json"],
        settings,
        name,
      );
      const job = JSON.parse(analysed.stdout) as { id: string; status: string };
      // A model that only answers in text: the job's outputs do not pass the quality gate (exit code 3).
      expect([job.status, analysed.code]).toEqual(["needs_review", 3]);
      const shown = await alex(["show", job.id, "--trace", "--json", "--db", db], settings, `${name}-show`);
      const trace = JSON.parse(shown.stdout) as { totals: { model_calls: number }; spans: unknown[] };

      expect(server().requests.length - before).toBeGreaterThan(0);
      expect(analysed.connections.length).toBeGreaterThan(0);
      expect(unexpected(analysed.connections, allowed())).toEqual([]);
      expect(shown.connections).toEqual([]);
      expect(trace.spans.length).toBeGreaterThan(0);
      expect(trace.totals.model_calls).toBe(server().requests.length - before);
    },
    240_000,
  );
});

describe("OTLP export when asked", () => {
  it("sends spans to OTEL_EXPORTER_OTLP_ENDPOINT and to nowhere else", async () => {
    const analysed = await alex(
      [
        "analyze",
        "--portfolio",
        "examples/portfolio.json",
        "--db",
        join(dir, "db-otlp"),
        "--out",
        join(dir, "out-otlp"),
        "--json",
      ],
      {
        ALEX_MODEL: "openai-compatible:local",
        OPENAI_BASE_URL: `${openai.url}/v1`,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      },
      "otlp",
    );
    expect(JSON.parse(analysed.stdout).id).toBeTruthy();
    expect(unexpected(analysed.connections, [openai.url, otlp.url])).toEqual([]);
    expect(otlp.requests.map((r) => r.path)).toContain("/v1/traces");
    expect(JSON.stringify(otlp.requests.map((r) => r.headers))).not.toContain(SECRET_KEY);
  }, 240_000);
});
