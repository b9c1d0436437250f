import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeenRequest {
  url: string;
  authorization: string | undefined;
}

/** A response the fake gives: status and JSON (or raw text) body; `hang` never answers. */
export type FakeAnswer = { status: number; body?: unknown; raw?: string } | "hang";

/** A local stand-in for api.polygon.io on 127.0.0.1, answering each request with `answer(url)`. */
export class FakePolygon {
  readonly requests: SeenRequest[] = [];
  private readonly hanging: ServerResponse[] = [];
  private server!: Server;
  answer: (url: string) => FakeAnswer = () => ({ status: 404, body: {} });

  async start(): Promise<string> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      this.requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
      const answer = this.answer(req.url ?? "");
      if (answer === "hang") return void this.hanging.push(res);
      res.writeHead(answer.status, { "content-type": "application/json", connection: "close" });
      res.end(answer.raw ?? JSON.stringify(answer.body ?? {}));
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
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
