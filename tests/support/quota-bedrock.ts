import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { TokenBucket } from "../../lib/scale/token-bucket.js";
import { converse } from "./fake-bedrock.js";

export interface QuotaBedrockOptions {
  tokensPerMinute: number;
  requestsPerMinute: number;
  /** Time compression: one quota minute lasts 60,000 / timeScale ms; model latency shrinks alike. */
  timeScale: number;
  /** The model's output tokens and seconds for a call by this agent (before compression). */
  reply: (agent: string) => { outputTokens: number; seconds: number };
  /** Reserved when a call asks for no maxTokens. */
  defaultMaxTokens?: number;
}

export interface AgentTraffic {
  requests: number;
  throttled: number;
  inputTokens: number;
  outputTokens: number;
}

export interface QuotaBedrock {
  url: string;
  /** The base URL a given agent's model should use (the path names the agent, for the statistics). */
  urlFor(agent: string): string;
  traffic: Map<string, AgentTraffic>;
  totals(): AgentTraffic;
  close(): Promise<void>;
}

const CONVERSE_PATH = /^\/agent\/([a-z-]+)\/model\/[^/]+\/converse$/;

/** Input tokens of a Converse request, estimated as the offline model does (≈ characters / 4). */
const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/**
 * A Bedrock Converse endpoint on 127.0.0.1 that enforces a quota: a token bucket for requests per minute
 * and one for tokens per minute (input + maxTokens reserved at the start of a call, the unused output
 * returned at its end). Over quota it answers 429 with the ThrottlingException shape real Bedrock sends;
 * otherwise it waits the model's (compressed) latency and answers with that many output tokens.
 */
export async function startQuotaBedrock(options: QuotaBedrockOptions): Promise<QuotaBedrock> {
  const periodMs = 60_000 / options.timeScale;
  const now = () => performance.now();
  const tokens = new TokenBucket(options.tokensPerMinute, periodMs, now());
  const requests = new TokenBucket(options.requestsPerMinute, periodMs, now());
  const traffic = new Map<string, AgentTraffic>();
  const trafficOf = (agent: string) => {
    const known = traffic.get(agent);
    if (known) return known;
    const fresh = { requests: 0, throttled: 0, inputTokens: 0, outputTokens: 0 };
    traffic.set(agent, fresh);
    return fresh;
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const match = CONVERSE_PATH.exec(req.url ?? "");
    const send = (reply: { status?: number; headers?: Record<string, string>; body: unknown }) => {
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      res.end(JSON.stringify(reply.body));
    };
    if (req.method !== "POST" || !match)
      return send({ status: 404, body: { message: `no route for ${req.method} ${req.url}` } });

    const agent = match[1];
    const stats = trafficOf(agent);
    const request = JSON.parse(body) as { inferenceConfig?: { maxTokens?: number } };
    const inputTokens = estimateTokens(body);
    const maxTokens = request.inferenceConfig?.maxTokens ?? options.defaultMaxTokens ?? 32_768;
    const reservation = inputTokens + maxTokens;
    stats.requests += 1;
    if (!requests.take(1, now())) return throttle();
    if (!tokens.take(reservation, now())) {
      requests.give(1, now());
      return throttle();
    }
    const { outputTokens: wanted, seconds } = options.reply(agent);
    const outputTokens = Math.min(wanted, maxTokens);
    await new Promise((done) => setTimeout(done, (seconds * 1000) / options.timeScale));
    tokens.give(maxTokens - outputTokens, now());
    stats.inputTokens += inputTokens;
    stats.outputTokens += outputTokens;
    const reply = converse.text("ok");
    const usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
    return send({ ...reply, body: { ...(reply.body as object), usage } });

    function throttle() {
      stats.throttled += 1;
      send(converse.throttled());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    urlFor: (agent) => `${url}/agent/${agent}`,
    traffic,
    totals: () =>
      [...traffic.values()].reduce(
        (sum, t) => ({
          requests: sum.requests + t.requests,
          throttled: sum.throttled + t.throttled,
          inputTokens: sum.inputTokens + t.inputTokens,
          outputTokens: sum.outputTokens + t.outputTokens,
        }),
        { requests: 0, throttled: 0, inputTokens: 0, outputTokens: 0 },
      ),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
