import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { PolygonProvider } from "../../lib/market/polygon.js";
import { MarketDataAuthError, MarketDataResponseError, MarketDataUnavailableError } from "../../lib/market/provider.js";
import { ensureFreshPrices } from "../../lib/market/refresh.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { testDb } from "../support/db.js";
import { type FakeAnswer, FakePolygon, groupedDaily } from "./fake-polygon.js";

const KEY = "test-key-do-not-log";
/** A Wednesday afternoon in New York: the latest completed trading day is Tuesday 2026-12-01. */
const NOW = new Date("2026-12-02T19:00:00Z");
const TUESDAY = "2026-12-01";
const MONDAY = "2026-11-30";

const fake = new FakePolygon();
let baseUrl: string;
let db: PgliteDb;

const provider = (options: { timeoutMs?: number; retries?: number } = {}) =>
  new PolygonProvider({ apiKey: KEY, baseUrl, minBackoffMs: 1, retries: 3, ...options });
const refresh = (p = provider()) => ensureFreshPrices(db, p, { maxAgeHours: 20, now: NOW });
const answerByDate = (answers: Record<string, FakeAnswer>) => (url: string) =>
  answers[/stocks\/(\d{4}-\d{2}-\d{2})/.exec(url)?.[1] ?? ""] ?? { status: 200, body: groupedDaily("x", []) };

async function tables() {
  const prices = await db.query("SELECT symbol, close, as_of, source FROM prices ORDER BY symbol, as_of, source");
  const instruments = await db.query(
    "SELECT symbol, current_price, price_as_of, price_source FROM instruments ORDER BY symbol",
  );
  return { prices: prices.rows, instruments: instruments.rows };
}

async function expectNothingWritten(work: Promise<unknown>, error: new (...args: never[]) => Error) {
  const before = await tables();
  const failure = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(error);
  expect((failure as Error).message).not.toContain(KEY);
  expect(await tables()).toEqual(before);
  return failure as Error;
}

beforeAll(async () => {
  baseUrl = await fake.start();
});
afterAll(() => fake.stop());
beforeEach(async () => {
  db = await testDb();
  fake.requests.length = 0;
});
afterEach(() => db.close());

describe("Polygon grouped-daily provider against a fake server on 127.0.0.1", () => {
  it("success: records the day's closes for the shared instruments only, with the key in the header", async () => {
    fake.answer = answerByDate({
      [TUESDAY]: {
        status: 200,
        body: groupedDaily(TUESDAY, [
          ["SPY", 601.25],
          ["QQQ", 512.5],
          ["AAPL", 230],
        ]),
      },
    });
    const result = await refresh();
    expect(result).toMatchObject({ status: "refreshed", provider: "polygon", as_of: TUESDAY, recorded: 2 });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0].url).toBe(`/v2/aggs/grouped/locale/us/market/stocks/${TUESDAY}?adjusted=true`);
    expect(fake.requests[0].authorization).toBe(`Bearer ${KEY}`);
    const { prices, instruments } = await tables();
    expect(prices.filter((p) => p.source === "market")).toEqual([
      { symbol: "QQQ", close: 512.5, as_of: TUESDAY, source: "market" },
      { symbol: "SPY", close: 601.25, as_of: TUESDAY, source: "market" },
    ]);
    expect(instruments.find((i) => i.symbol === "SPY")).toEqual({
      symbol: "SPY",
      current_price: 601.25,
      price_as_of: TUESDAY,
      price_source: "market",
    });
    expect(instruments.some((i) => i.symbol === "AAPL")).toBe(false);
  });

  it("a missing symbol keeps its last known price, marked stale with its date; it is never invented", async () => {
    fake.answer = answerByDate({ [TUESDAY]: { status: 200, body: groupedDaily(TUESDAY, [["SPY", 601.25]]) } });
    const result = await refresh();
    expect(result.status === "refreshed" && result.stale).toContainEqual({ symbol: "BND", as_of: "2024-01-02" });
    expect(result.status === "refreshed" && result.stale.map((s) => s.symbol)).not.toContain("SPY");
    await importPortfolio(
      db,
      parsePortfolioFile({
        user: { id: "stale-user", display_name: "Stale" },
        accounts: [
          {
            name: "A",
            type: "taxable",
            positions: [
              { symbol: "SPY", quantity: 1 },
              { symbol: "BND", quantity: 1 },
            ],
          },
        ],
      }),
    );
    const held = (await loadPortfolio(db, "stale-user"))!.accounts[0].positions.map((p) => [
      p.symbol,
      p.instrument.current_price,
      p.instrument.price_as_of,
      p.instrument.price_source,
      p.instrument.price_stale,
    ]);
    expect(held).toEqual([
      ["BND", 72.5, "2024-01-02", "seed", true],
      ["SPY", 601.25, TUESDAY, "market", false],
    ]);
    expect((await tables()).prices.filter((p) => p.symbol === "BND")).toEqual([
      { symbol: "BND", close: 72.5, as_of: "2024-01-02", source: "seed" },
    ]);
  });

  it("429: retries with backoff (p-retry) and then records the day", async () => {
    let calls = 0;
    fake.answer = () =>
      ++calls <= 2
        ? { status: 429, body: { status: "ERROR", error: "too many requests" } }
        : { status: 200, body: groupedDaily(TUESDAY, [["SPY", 600]]) };
    expect(await refresh()).toMatchObject({ status: "refreshed", as_of: TUESDAY, recorded: 1 });
    expect(fake.requests).toHaveLength(3);
  });

  it("429 on every attempt: a clear error after the retries, nothing written", async () => {
    fake.answer = () => ({ status: 429, body: { status: "ERROR" } });
    const error = await expectNothingWritten(refresh(provider({ retries: 2 })), MarketDataUnavailableError);
    expect(error.message).toContain("HTTP 429 (rate limited)");
    expect(fake.requests).toHaveLength(3);
  });

  it.each([401, 403])("%i: a clear error about the key, no retry, nothing written", async (status) => {
    fake.answer = () => ({ status, body: { status: "ERROR", request_id: "x", error: "Unknown API Key" } });
    const error = await expectNothingWritten(refresh(), MarketDataAuthError);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).toContain("PolygonApiKey");
    expect(fake.requests).toHaveLength(1);
  });

  it("a malformed body (an unknown status): refused naming the field, nothing written", async () => {
    fake.answer = () => ({ status: 200, body: { status: "ERROR", resultsCount: 0 } });
    const error = await expectNothingWritten(refresh(), MarketDataResponseError);
    expect(error.message).toContain("status");
  });

  it("a body that is not JSON: refused, nothing written", async () => {
    fake.answer = () => ({ status: 200, raw: "<html>maintenance</html>" });
    await expectNothingWritten(refresh(), MarketDataResponseError);
    expect(fake.requests).toHaveLength(1);
  });

  it("a timeout: each attempt is cut off, then a clear error, nothing written", async () => {
    fake.answer = () => "hang";
    const error = await expectNothingWritten(
      refresh(provider({ timeoutMs: 50, retries: 1 })),
      MarketDataUnavailableError,
    );
    expect(error.message).toContain("no answer within 50 ms");
  });

  it("a partial day: today is never asked for, a holiday falls back a day, and a bar of another day is not this day's close", async () => {
    fake.answer = answerByDate({
      [TUESDAY]: { status: 200, body: groupedDaily(TUESDAY, []) },
      [MONDAY]: {
        status: 200,
        body: {
          ...groupedDaily(MONDAY, [["SPY", 598]]),
          results: [
            ...groupedDaily(MONDAY, [["SPY", 598]]).results,
            ...groupedDaily(MONDAY, [["QQQ", 1]], TUESDAY).results,
          ],
        },
      },
    });
    const result = await refresh();
    expect(fake.requests.map((r) => /stocks\/([\d-]+)/.exec(r.url)![1])).toEqual([TUESDAY, MONDAY]);
    expect(result).toMatchObject({ status: "refreshed", as_of: MONDAY, recorded: 1 });
    expect(result.status === "refreshed" && result.stale).toContainEqual({ symbol: "QQQ", as_of: "2024-01-02" });
    expect((await tables()).prices.filter((p) => p.source === "market")).toEqual([
      { symbol: "SPY", close: 598, as_of: MONDAY, source: "market" },
    ]);
  });

  it("fresh prices skip the refresh; without a key the seed prices stay and say so", async () => {
    fake.answer = answerByDate({ [TUESDAY]: { status: 200, body: groupedDaily(TUESDAY, [["SPY", 600]]) } });
    await refresh();
    const again = await ensureFreshPrices(db, provider(), { maxAgeHours: 20, now: new Date(Date.now() + 3_600_000) });
    expect(again).toEqual({
      status: "skipped",
      reason: `market prices as of ${TUESDAY} are fresher than 20 h`,
      as_of: TUESDAY,
    });
    expect(fake.requests).toHaveLength(1);

    const fresh = await testDb();
    try {
      expect(await ensureFreshPrices(fresh, undefined, { maxAgeHours: 20 })).toEqual({
        status: "skipped",
        reason: "no market-data key: seed prices as of 2024-01-02",
        as_of: "2024-01-02",
      });
    } finally {
      await fresh.close();
    }
  });
});
