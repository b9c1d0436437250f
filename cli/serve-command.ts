import { serve } from "@hono/node-server";
import { localDefinition } from "../console/run-job.js";
import { createConsoleApp } from "../console/server.js";
import type { CommandArgs } from "./command.js";
import { progress, UsageError } from "./io.js";
import { openCliDb } from "./open-db.js";

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/** `alex serve`: the local console on 127.0.0.1 (another host only with --host), until interrupted. */
export async function serveCommand(args: CommandArgs): Promise<number> {
  const port = parsePort(args.values.port as string | undefined);
  const host = (args.values.host as string | undefined) ?? "127.0.0.1";
  if (!LOOPBACK.has(host))
    progress(`alex: listening beyond loopback on ${host}: anyone who can reach it can run analyses`);
  const db = await openCliDb(args.config, { dir: args.values.db as string | undefined, onProgress: progress });
  const hosts = LOOPBACK.has(host) ? undefined : "any";
  const { app, idle } = createConsoleApp({ db, config: args.config, definition: localDefinition(), hosts });
  const server = serve({ fetch: app.fetch, port, hostname: host }, (info) => {
    const shown = info.family === "IPv6" ? `[${info.address}]` : info.address;
    process.stdout.write(`Alex console: http://${shown}:${info.port}/\n`);
  });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  progress("Stopping the console…");
  server.close();
  await idle();
  await db.close();
  return 0;
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 4000;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError("--port must be an integer from 0 to 65535");
  return port;
}
