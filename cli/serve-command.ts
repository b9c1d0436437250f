import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { localDefinition } from "../console/run-job.js";
import { createConsoleApp, LOOPBACK_HOSTS } from "../console/server.js";
import { failCancelledJobsOfThisProcess } from "../lib/pipeline/local-jobs.js";
import type { CommandArgs } from "./command.js";
import { progress, UsageError } from "./io.js";
import { SIGNAL_EXIT_CODES } from "./job-signals.js";
import { openCliDb } from "./open-db.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);
const WILDCARD = new Set(["0.0.0.0", "::"]);

/**
 * `alex serve`: the local console on 127.0.0.1 until interrupted. Beyond loopback (`--host`) it still
 * answers only to the names it is bound to (its address, loopback, each `--allow-host NAME`), and every
 * request needs the token it prints at start. Ctrl-C fails its running and queued jobs as cancelled.
 */
export async function serveCommand(args: CommandArgs): Promise<number> {
  const port = parsePort(args.values.port as string | undefined);
  const host = (args.values.host as string | undefined) ?? "127.0.0.1";
  const allowed = (args.values["allow-host"] as string[] | undefined) ?? [];
  const beyondLoopback = !LOOPBACK.has(host);
  const token = beyondLoopback ? randomBytes(24).toString("base64url") : undefined;
  const hosts = [...LOOPBACK_HOSTS, ...allowed.map(hostName), ...(WILDCARD.has(host) ? [] : [hostName(host)])];
  if (beyondLoopback)
    progress(
      `alex: listening beyond loopback on ${host}: it answers to ${hosts.join(", ")} (add names with --allow-host NAME) and only with its token`,
    );
  const db = await openCliDb(args.config, { dir: args.values.db as string | undefined, onProgress: progress });
  const { app } = createConsoleApp({ db, config: args.config, definition: localDefinition(), hosts, token });
  const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
    const shown = info.family === "IPv6" ? `[${info.address}]` : info.address;
    process.stdout.write(`Alex console: http://${shown}:${info.port}/${token ? `?token=${token}` : ""}\n`);
  });
  const signal = await new Promise<keyof typeof SIGNAL_EXIT_CODES>((resolve) => {
    // Kept registered until exit (the Agents SDK's own listener exits at once when it is the only one).
    for (const name of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(name, () => resolve(name));
  });
  progress(`Stopping the console (${signal})…`);
  server.close();
  for (const id of await failCancelledJobsOfThisProcess(db, signal))
    progress(`Job ${id} failed: cancelled (${signal})`);
  await db.close().catch(() => {});
  // A job still waiting on its model must not keep the process: its job has ended as cancelled.
  process.exit(SIGNAL_EXIT_CODES[signal]);
}

/** A host name as a URL's hostname reads it (IPv6 in brackets, lower case). */
const hostName = (name: string) => (name.includes(":") && !name.startsWith("[") ? `[${name}]` : name.toLowerCase());

function parsePort(text: string | undefined): number {
  if (text === undefined) return 4000;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError("--port must be an integer from 0 to 65535");
  return port;
}
