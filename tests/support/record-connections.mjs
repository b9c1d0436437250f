// Preloaded with `node --import` by tests/tracing/no-leak.test.ts: records every outgoing connection the
// process makes — socket connects (which every HTTP client, fetch included, goes through), fetch calls
// and DNS lookups — one JSON line each to the file named by ALEX_CONNECTION_LOG. Nothing is blocked.
// ALEX_REDIRECT='{"https://real.host": "http://127.0.0.1:port"}' sends fetches for a host to a local fake
// (as DNS would; the original URL is what is recorded). ALEX_AGENTS_CORE_ONLY=1 resolves `@openai/agents`
// to `@openai/agents-core`, as the Lambda bundles do (stacks/bundle-plugins.mjs).

import dns from "node:dns";
import { appendFileSync } from "node:fs";
import { register } from "node:module";
import net from "node:net";

const log = process.env.ALEX_CONNECTION_LOG;
const record = (entry) => {
  if (log) appendFileSync(log, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  const [first, second] = args;
  const options = Array.isArray(first) ? first[0] : first;
  if (typeof options === "object" && options !== null) {
    if (options.path) record({ kind: "socket", path: String(options.path) });
    else record({ kind: "socket", host: options.host ?? "localhost", port: Number(options.port) });
  } else if (typeof first === "string" && Number.isNaN(Number(first))) record({ kind: "socket", path: first });
  else record({ kind: "socket", host: typeof second === "string" ? second : "localhost", port: Number(first) });
  return connect.apply(this, args);
};

const redirects = Object.entries(JSON.parse(process.env.ALEX_REDIRECT ?? "{}"));
const fetch = globalThis.fetch;
globalThis.fetch = function (input, init) {
  const url = typeof input === "string" || input instanceof URL ? String(input) : input.url;
  record({ kind: "fetch", url, method: init?.method ?? input?.method ?? "GET" });
  const redirect = redirects.find(([from]) => url.startsWith(from));
  if (!redirect) return fetch.call(this, input, init);
  const request = new Request(input, init);
  return fetch.call(this, new Request(redirect[1] + url.slice(redirect[0].length), request));
};

if (process.env.ALEX_AGENTS_CORE_ONLY === "1") register("./agents-core-only-hooks.mjs", import.meta.url);

const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  record({ kind: "dns", host: hostname });
  return lookup.call(this, hostname, ...rest);
};
