import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake server received; `body` is the parsed JSON. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body: unknown;
}

/** Chooses the reply to the n-th request (0-based). */
export type Responder = (request: RecordedRequest, index: number) => FakeReply;

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A JSON HTTP server on 127.0.0.1 that records every request and answers from a script:
 * the n-th scripted reply, or a responder function. Requests past the script get a 418.
 */
export async function startFakeServer(script: FakeReply[] | Responder): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const respond: Responder = typeof script === "function" ? script : (_, index) => script[index] ?? unscripted(index);
  const server = createServer(async (req, res) => {
    const recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: await readJson(req) };
    requests.push(recorded);
    const reply = respond(recorded, requests.length - 1);
    res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function readJson(req: AsyncIterable<Buffer>): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

function unscripted(index: number): FakeReply {
  return { status: 418, body: { message: `fake server: no reply scripted for request #${index + 1}` } };
}

const usage = { inputTokens: 120, outputTokens: 30, totalTokens: 150 };

/** Bedrock Converse (non-streaming) replies, in the wire format `@ai-sdk/amazon-bedrock` parses. */
export const converse = {
  text(text: string): FakeReply {
    return {
      body: {
        output: { message: { role: "assistant", content: [{ text }] } },
        stopReason: "end_turn",
        usage,
        metrics: { latencyMs: 5 },
      },
    };
  },

  toolUse(name: string, input: Record<string, unknown>, toolUseId = "tooluse_1"): FakeReply {
    return {
      body: {
        output: { message: { role: "assistant", content: [{ toolUse: { toolUseId, name, input } }] } },
        stopReason: "tool_use",
        usage,
        metrics: { latencyMs: 5 },
      },
    };
  },

  /** What real Bedrock sends when throttling: HTTP 429 and the error type only in a header. */
  throttled(): FakeReply {
    return {
      status: 429,
      headers: { "x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/" },
      body: { message: "Too many requests, please wait before trying again." },
    };
  },

  validationError(message = "The provided request is not valid"): FakeReply {
    return {
      status: 400,
      headers: { "x-amzn-ErrorType": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" },
      body: { message },
    };
  },
};

const AWS_ENV_KEYS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_BEARER_TOKEN_BEDROCK",
  "AWS_REGION",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
] as const;

/**
 * Sets fake AWS credentials in the environment (the Bedrock provider reads them on each request)
 * and clears anything that would change auth or endpoint. Returns a function restoring the env.
 * `awsRegion` sets AWS_REGION, to prove the provider ignores it.
 */
export function useFakeAwsCredentials(awsRegion?: string): () => void {
  const saved = Object.fromEntries(AWS_ENV_KEYS.map((key) => [key, process.env[key]]));
  for (const key of AWS_ENV_KEYS) delete process.env[key];
  process.env.AWS_ACCESS_KEY_ID = "AKIAFAKEFAKEFAKEFAKE";
  process.env.AWS_SECRET_ACCESS_KEY = "fake-secret-access-key";
  if (awsRegion) process.env.AWS_REGION = awsRegion;
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** The credential scope of a SigV4 Authorization header: `<date>/<region>/<service>/aws4_request`. */
export function credentialScope(authorization: string | undefined): string {
  const match = /Credential=[^/]+\/([^,]+)/.exec(authorization ?? "");
  return match?.[1] ?? "";
}
