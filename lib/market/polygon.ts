import pRetry, { AbortError } from "p-retry";
import * as z from "zod";
import { screenBars } from "./closes.js";
import {
  type DailyCloses,
  MarketDataAuthError,
  type MarketDataProvider,
  MarketDataResponseError,
  MarketDataUnavailableError,
} from "./provider.js";

/**
 * `GET /v2/aggs/grouped/locale/us/market/stocks/{date}`: every US ticker's bar for one day. Each bar is
 * checked on its own (`screenBars`): one bad bar skips its ticker, not the day.
 */
export const GroupedDailyResponse = z.object({
  status: z.enum(["OK", "DELAYED"]),
  resultsCount: z.number().int().min(0),
  results: z.array(z.unknown()).optional(),
});
export type GroupedDailyResponse = z.infer<typeof GroupedDailyResponse>;

export interface PolygonOptions {
  apiKey: string;
  baseUrl?: string;
  /** Per request, in ms. */
  timeoutMs?: number;
  /** Retries after the first attempt, on 429, 5xx, timeouts and network errors. */
  retries?: number;
  /** First backoff in ms (doubling, randomised); tests use a few ms. */
  minBackoffMs?: number;
  /** The largest body read, in bytes: reading stops there (the refresh function has 256 MB). */
  maxBodyBytes?: number;
}

/** A whole US market day is ~2 MB of JSON; 16 MiB leaves room and keeps the parse well inside 256 MB. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Polygon.io's grouped-daily endpoint: one call returns every US ticker's close for a day, which fits
 * the free tier's 5 calls a minute. The key travels in the Authorization header, never in the URL.
 */
export class PolygonProvider implements MarketDataProvider {
  readonly name = "polygon";
  private readonly baseUrl: string;

  constructor(private readonly options: PolygonOptions) {
    this.baseUrl = (options.baseUrl ?? "https://api.polygon.io").replace(/\/$/, "");
  }

  async dailyCloses(date: string): Promise<DailyCloses> {
    const url = `${this.baseUrl}/v2/aggs/grouped/locale/us/market/stocks/${date}?adjusted=true`;
    const body = await pRetry(() => this.get(url), {
      retries: this.options.retries ?? 4,
      minTimeout: this.options.minBackoffMs ?? 2_000,
      factor: 2,
      randomize: true,
    }).catch((error: unknown) => {
      if (error instanceof MarketDataAuthError || error instanceof MarketDataResponseError) throw error;
      throw new MarketDataUnavailableError(`Polygon grouped daily ${date}: ${(error as Error).message}`);
    });
    const parsed = GroupedDailyResponse.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new MarketDataResponseError(
        `Polygon grouped daily ${date}: unexpected body at ${issue.path.join(".") || "(root)"}: ${issue.message}`,
      );
    }
    // A bar from another day (or the still-open session) is not this day's close.
    return { date, ...screenBars(parsed.data.results ?? [], date) };
  }

  private async get(url: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { Authorization: `Bearer ${this.options.apiKey}`, Accept: "application/json" },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      throw new Error(
        timedOut
          ? `no answer within ${this.options.timeoutMs ?? 10_000} ms`
          : `network error: ${(error as Error).message}`,
      );
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel();
      throw new AbortError(
        new MarketDataAuthError(
          `Polygon refused the key (HTTP ${response.status}): check POLYGON_API_KEY / the PolygonApiKey secret and its plan`,
        ),
      );
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}${response.status === 429 ? " (rate limited)" : ""}`);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new AbortError(new MarketDataResponseError(`Polygon answered HTTP ${response.status}`));
    }
    const text = await readLimited(response, this.options.maxBodyBytes ?? MAX_BODY_BYTES);
    try {
      return JSON.parse(text);
    } catch {
      throw new AbortError(new MarketDataResponseError("Polygon's body is not JSON"));
    }
  }
}

/** The body as text, reading no more than `limit` bytes: past it, the connection is dropped. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const tooLarge = () =>
    new AbortError(
      new MarketDataResponseError(
        `Polygon's answer is larger than ${(limit / 1024 / 1024).toFixed(0)} MB: refused without reading the rest`,
      ),
    );
  if (Number(response.headers.get("content-length") ?? 0) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); reader && read && !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
