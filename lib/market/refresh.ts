import type { Db } from "../db/driver.js";
import { DbError } from "../db/driver.js";
import { instrumentsPricedBefore, latestMarketPrices, recordCloses, sharedSymbols } from "../db/repositories/prices.js";
import { SEED_PRICES_AS_OF } from "../seed/instruments.js";
import { MarketDataError, type MarketDataProvider, MarketDataStoreError } from "./provider.js";
import { completedTradingDays } from "./trading-days.js";

/** What a price refresh did: the job records it in summary_payload.prices.refresh. */
export type PriceRefresh =
  | {
      status: "refreshed";
      provider: string;
      as_of: string;
      recorded: number;
      stale: { symbol: string; as_of: string | null }[];
      /** Shared instruments whose close was not stored, each with the reason. */
      skipped: { symbol: string; reason: string }[];
      /** Closes recorded with a flag, not used: an implausible move from the previous close. */
      flagged: { symbol: string; close: number; previous: number }[];
    }
  | { status: "skipped"; reason: string; as_of: string | null };

export interface RefreshOptions {
  /** Skip when market prices were fetched less than this many hours ago. */
  maxAgeHours: number;
  now?: Date;
  /** How many weekdays back to look for the latest day with closes (holidays have none). */
  lookbackDays?: number;
  /** `latestMarketPrices`, when the caller already read it (Prepare job does, in its claim). */
  latest?: Awaited<ReturnType<typeof latestMarketPrices>>;
}

/**
 * Brings the shared instruments' prices up to the latest completed trading day, unless they are fresh
 * or there is no provider (no key). Only real closes are written: a symbol the provider did not return
 * keeps its last known price and is listed as stale with its date. Errors propagate, nothing written.
 */
export async function ensureFreshPrices(
  db: Db,
  provider: MarketDataProvider | undefined,
  options: RefreshOptions,
): Promise<PriceRefresh> {
  const now = options.now ?? new Date();
  const latest = options.latest ?? (await latestMarketPrices(db));
  if (latest.fetched_at && now.getTime() - Date.parse(latest.fetched_at) < options.maxAgeHours * 3_600_000) {
    return {
      status: "skipped",
      reason: `market prices as of ${latest.as_of} are fresher than ${options.maxAgeHours} h`,
      as_of: latest.as_of,
    };
  }
  if (!provider) {
    const reason = latest.as_of
      ? `no market-data key: market prices as of ${latest.as_of}`
      : `no market-data key: seed prices as of ${SEED_PRICES_AS_OF}`;
    return { status: "skipped", reason, as_of: latest.as_of ?? SEED_PRICES_AS_OF };
  }
  return refreshPrices(db, provider, now, options.lookbackDays ?? 5);
}

async function refreshPrices(
  db: Db,
  provider: MarketDataProvider,
  now: Date,
  lookbackDays: number,
): Promise<PriceRefresh> {
  const wanted = new Set(await sharedSymbols(db));
  for (const date of completedTradingDays(now, lookbackDays)) {
    const day = await provider.dailyCloses(date);
    if (day.closes.length === 0 && !day.skipped?.length) continue;
    const { recorded, flagged } = await recordCloses(
      db,
      "market",
      date,
      day.closes.filter((c) => wanted.has(c.symbol)),
    ).catch((error: unknown) => {
      throw storeError(error, provider.name, date);
    });
    const stale = await instrumentsPricedBefore(db, date);
    const skipped = (day.skipped ?? []).filter((s) => wanted.has(s.symbol));
    return {
      status: "refreshed",
      provider: provider.name,
      as_of: date,
      recorded: recorded.length,
      stale,
      skipped,
      flagged,
    };
  }
  throw new MarketDataError(`${provider.name} returned no closes for the last ${lookbackDays} weekdays`);
}

/** What the database said, in words for a person (the SQL error stays the cause, for the logs). */
const STORE_FAILURES: Record<string, string> = {
  "22003": "a close is beyond the largest price the database stores",
  "22P02": "a close is not a number",
  "21000": "a ticker appears twice in the day's closes",
  "23514": "a close failed the database's checks (a date after today, or an implausible move)",
  "23505": "another refresh stored the same closes at the same moment; run it again",
  "42501": "the price refresh's database role may not write them",
};

function storeError(error: unknown, provider: string, date: string): Error {
  if (!(error instanceof DbError)) return error as Error;
  const why = STORE_FAILURES[error.code ?? ""] ?? `the database refused them (SQLSTATE ${error.code ?? "unknown"})`;
  return new MarketDataStoreError(`The ${provider} closes of ${date} were not stored: ${why}. Nothing was written.`, {
    cause: error,
  });
}
