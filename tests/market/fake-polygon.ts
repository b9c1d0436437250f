import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  url: string;
  authorization: string | undefined;
}

/**
 * A response the fake gives: status and JSON (or raw text) body; `stream` sends that many bytes of a JSON
 * body in 64 KB chunks as the client reads them (chunked, or with its Content-Length when `declared`);
 * `hang` never answers.
 */
export type FakeAnswer =
  | { status: number; body?: unknown; raw?: string }
  | { status: number; stream: number; declared?: boolean }
  | "hang";

/** A local stand-in for api.polygon.io on 127.0.0.1, answering each request with `answer(url)`. */
export class FakePolygon {
  readonly requests: SeenRequest[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;
  /** Bytes of streamed bodies the client actually took. */
  streamedBytes = 0;
  answer: (url: string) => FakeAnswer = () => ({ status: 404, body: {} });

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
      const answer = this.answer(req.url ?? "");
      if (answer === "hang") return void this.hanging.push(res);
      if ("stream" in answer) return void this.stream(res, answer);
      res.writeHead(answer.status, { "content-type": "application/json", connection: "close" });
      res.end(answer.raw ?? JSON.stringify(answer.body ?? {}));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async stream(res: ServerResponse, answer: { status: number; stream: number; declared?: boolean }) {
    res.writeHead(answer.status, {
      "content-type": "application/json",
      connection: "close",
      ...(answer.declared ? { "content-length": String(answer.stream) } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, " ");
    let sent = 0;
    res.on("close", () => {
      this.streamedBytes += sent;
    });
    while (sent < answer.stream && !res.destroyed) {
      const size = Math.min(chunk.length, answer.stream - sent);
      sent += size;
      if (!res.write(chunk.subarray(0, size)))
        await new Promise((done) => {
          res.once("drain", done);
          res.once("close", done);
        });
    }
    res.end();
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/** A grouped-daily body for `date` with one bar per `[symbol, close]` (bar time: midnight in New York). */
export function groupedDaily(date: string, closes: [string, number][], barDate = date) {
  const t = Date.parse(`${barDate}T05:00:00Z`);
  return {
    status: "OK",
    adjusted: true,
    queryCount: closes.length,
    resultsCount: closes.length,
    request_id: "fake",
    results: closes.map(([T, c]) => ({ T, c, o: c, h: c, l: c, v: 1000, vw: c, t, n: 10 })),
  };
}
