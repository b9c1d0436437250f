import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { refreshPrices } from "../../functions/refresh-prices.js";
import { loadConfig } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { priceHistory } from "../../lib/db/repositories/prices.js";
import { PRICES_DB_ROLE } from "../../lib/db/roles.js";
import { MarketDataResponseError, MarketDataStoreError } from "../../lib/market/provider.js";
import { ensureFreshPrices, type PriceRefresh } from "../../lib/market/refresh.js";
import { FakePolygon, groupedDaily } from "../market/fake-polygon.js";
import { testDb } from "../support/db.js";

/**
 * Bad market data, through the real refresh-prices task as the `alex_prices` role (as deployed)
 * against a fake Polygon on 127.0.0.1: a bad bar costs only its ticker, nothing aborts the day, an
 * implausible close is flagged and never used, a huge body is cut off while streaming, and what the
 * database refuses is said in words.
 */
const polygon = new FakePolygon();
let baseUrl: string;
let db: PgliteDb;

const dateOf = (url: string) => /stocks\/(\d{4}-\d{2}-\d{2})/.exec(url)?.[1] ?? "";
/** Every day answers with these bars (raw objects: some are broken on purpose). */
const bars = (results: (date: string) => unknown[]) => {
  polygon.answer = (url) => ({
    status: 200,
    body: { status: "OK", resultsCount: 0, results: results(dateOf(url)) },
  });
};
const bar = (date: string, T: unknown, c: unknown) => ({ ...groupedDaily(date, [["X", 1]]).results[0], T, c });

async function runRefresh(): Promise<PriceRefresh & { status: "refreshed" }> {
  const config = loadConfig({ POLYGON_API_KEY: "test-key", POLYGON_BASE_URL: baseUrl });
  await db.query(`SET ROLE ${PRICES_DB_ROLE}`);
  try {
    const result = await refreshPrices({}, { db, config } as never);
    expect(result.status).toBe("refreshed");
    return result as PriceRefresh & { status: "refreshed" };
  } finally {
    await db.query("RESET ROLE");
  }
}
const marketCloses = async () =>
  (await db.query("SELECT symbol, close, flag FROM prices WHERE source = 'market' ORDER BY symbol")).rows;
const currentPrice = async (symbol: string) =>
  (
    await db.query<{ current_price: number }>("SELECT current_price FROM instruments WHERE symbol = :symbol", {
      symbol,
    })
  ).rows[0].current_price;

beforeAll(async () => {
  baseUrl = await polygon.start();
});
afterAll(() => polygon.stop());
beforeEach(async () => {
  db = await testDb();
});
afterEach(() => db.close());

describe("market data faults", () => {
  it("a malformed bar skips its ticker with a reason; the rest of the day is stored", async () => {
    bars((date) => [bar(date, "SPY", "600"), null, bar(date, "QQQ", 512.5), bar(date, "IWM", Number.NaN)]);
    const result = await runRefresh();
    expect(result.recorded).toBe(1);
    expect(result.skipped).toEqual([
      { symbol: "SPY", reason: expect.stringMatching(/^its bar is malformed \(c: .*number/) },
      { symbol: "IWM", reason: expect.stringMatching(/^its bar is malformed \(c: /) },
    ]);
    expect(await marketCloses()).toEqual([{ symbol: "QQQ", close: 512.5, flag: null }]);
    expect(result.stale.map((s) => s.symbol)).toContain("SPY");
  });

  it("duplicate tickers don't abort: one close given twice is kept once, two different closes skip the ticker", async () => {
    bars((date) => [
      bar(date, "QQQ", 512.5),
      bar(date, "QQQ", 512.5),
      bar(date, "IWM", 210),
      bar(date, "IWM", 211),
      bar(date, "SPY", 601),
    ]);
    const result = await runRefresh();
    expect(result.skipped).toEqual([
      { symbol: "IWM", reason: "the day has 2 bars for it with different closes (210, 211)" },
    ]);
    expect(await marketCloses()).toEqual([
      { symbol: "QQQ", close: 512.5, flag: null },
      { symbol: "SPY", close: 601, flag: null },
    ]);
  });

  it("out-of-range closes don't abort: beyond DECIMAL(12,4), below $0.0001 or not positive skip their ticker", async () => {
    bars((date) => [bar(date, "SPY", 1e12), bar(date, "AGG", 0.00001), bar(date, "BND", -3), bar(date, "QQQ", 512.5)]);
    const result = await runRefresh();
    expect(result.skipped).toEqual([
      { symbol: "SPY", reason: "its close 1000000000000 is beyond $99,999,999.9999, the largest price stored" },
      { symbol: "AGG", reason: "its close 0.00001 is below $0.0001, the smallest price stored" },
      { symbol: "BND", reason: "its close -3 is not a positive price" },
    ]);
    expect(await marketCloses()).toEqual([{ symbol: "QQQ", close: 512.5, flag: null }]);
    expect(await currentPrice("SPY")).toBe(450.25);
  });

  it("SPY $450 → $0.01 is recorded with a flag and never becomes SPY's price; the plausible closes move", async () => {
    bars((date) => [bar(date, "SPY", 0.01), bar(date, "QQQ", 512.5)]);
    const result = await runRefresh();
    expect(result.recorded).toBe(1);
    expect(result.flagged).toEqual([{ symbol: "SPY", close: 0.01, previous: 450.25 }]);
    expect(await marketCloses()).toEqual([
      { symbol: "QQQ", close: 512.5, flag: null },
      { symbol: "SPY", close: 0.01, flag: "implausible move: 0.0100 after 450.2500" },
    ]);
    expect(await currentPrice("SPY")).toBe(450.25);
    expect(await currentPrice("QQQ")).toBe(512.5);
    expect((await priceHistory(db, "SPY")).map((p) => [p.close, p.source, p.flag])).toEqual([
      [0.01, "market", "implausible move: 0.0100 after 450.2500"],
      [450.25, "seed", null],
    ]);
  });

  it("a close years after the last trusted one may move further: the seed's 2024 SLV $22.40 → $70 becomes SLV's price", async () => {
    // The first refresh of a database seeded with 2024 prices: a 3× bound meant for one day to the next would flag
    // SLV (and every later close, judged against the same 2024 close) forever.
    bars((date) => [bar(date, "SLV", 70), bar(date, "SPY", 0.01)]);
    const result = await runRefresh();
    expect(result.flagged).toEqual([{ symbol: "SPY", close: 0.01, previous: 450.25 }]);
    expect(await currentPrice("SLV")).toBe(70);
    expect(await currentPrice("SPY")).toBe(450.25);
  });

  it.each([
    ["streamed without a length", false],
    ["declared by Content-Length", true],
  ])("a 200 MB body (%s) is cut off at 16 MB while reading; nothing written", async (_label, declared) => {
    polygon.streamedBytes = 0;
    polygon.answer = () => ({ status: 200, stream: 200 * 1024 * 1024, declared });
    const config = loadConfig({ POLYGON_API_KEY: "test-key", POLYGON_BASE_URL: baseUrl });
    const before = await marketCloses();
    const error = await refreshPrices({}, { db, config } as never).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(MarketDataResponseError);
    expect(error?.message).toBe("Polygon's answer is larger than 16 MB: refused without reading the rest");
    await new Promise((done) => setTimeout(done, 100));
    expect(polygon.streamedBytes).toBeLessThan(declared ? 4 * 1024 * 1024 : 48 * 1024 * 1024);
    expect(await marketCloses()).toEqual(before);
  });

  it("what the database refuses is said in words, not as SQL; nothing is written", async () => {
    // A provider that hands over a close the database cannot hold (Polygon's bars are screened first).
    const provider = {
      name: "test-provider",
      dailyCloses: async (date: string) => ({
        date,
        closes: [
          { symbol: "QQQ", close: 512.5 },
          { symbol: "SPY", close: 1e12 },
        ],
      }),
    };
    const error = await ensureFreshPrices(db, provider, { maxAgeHours: 0 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(MarketDataStoreError);
    expect(error?.message).toMatch(
      /^The test-provider closes of \d{4}-\d{2}-\d{2} were not stored: a close is beyond the largest price the database stores\. Nothing was written\.$/,
    );
    expect(error?.message).not.toMatch(/numeric|overflow|SQL|INSERT/i);
    expect(await marketCloses()).toEqual([]);
  });
});
