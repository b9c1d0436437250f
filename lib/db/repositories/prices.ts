import { type Db, P } from "../driver.js";

/** Trusted price sources; a user's own price lives with the user (`user_instruments`), never here. */
export type TrustedPriceSource = "seed" | "market";

export interface Close {
  symbol: string;
  close: number;
}

export interface PriceRow extends Record<string, unknown> {
  symbol: string;
  close: number;
  as_of: string;
  source: TrustedPriceSource;
  fetched_at: string;
  /** Why this close is not trusted (an implausible move); null when it is. */
  flag: string | null;
}

/** A close recorded but not trusted: it moved implausibly far from the previous one. */
export interface FlaggedClose {
  symbol: string;
  close: number;
  previous: number;
}

/**
 * Adds one day's closes from a trusted source to the history and moves each shared instrument's current
 * price forward to it (never back: an older day, or a seed price, leaves a newer one in place). Closes of
 * symbols that are not shared instruments are ignored. A close beyond the plausible move from the
 * previous one (`plausible_close`, migration 011: 3×, widening with the days between) is recorded with a flag and never becomes the current
 * price. Returns the symbols recorded as trusted, and the flagged ones.
 */
export async function recordCloses(
  db: Db,
  source: TrustedPriceSource,
  asOf: string,
  closes: Close[],
): Promise<{ recorded: string[]; flagged: FlaggedClose[] }> {
  if (closes.length === 0) return { recorded: [], flagged: [] };
  // One statement (no transaction: the functions' Data API grants have none): the history rows, then the
  // instruments moved forward from what was recorded.
  const { rows } = await db.query<{ symbol: string; close: number; previous: number | null; flagged: boolean }>(
    `WITH given AS (
       SELECT DISTINCT ON (i.symbol) i.symbol, c.close, COALESCE(h.close, i.current_price) AS previous,
              :as_of::date - COALESCE(h.as_of, i.price_as_of) AS days_apart
       FROM jsonb_to_recordset(:closes::jsonb) AS c(symbol text, close numeric)
       JOIN instruments i ON i.symbol = c.symbol
       LEFT JOIN LATERAL (
         SELECT p.close, p.as_of FROM prices p
         WHERE p.symbol = i.symbol AND p.as_of < :as_of::date AND p.flag IS NULL
         ORDER BY p.as_of DESC, p.source LIMIT 1
       ) h ON true
       WHERE c.close > 0
       ORDER BY i.symbol
     ), recorded AS (
       INSERT INTO prices (symbol, close, as_of, source, flag)
       SELECT symbol, close, :as_of::date, :source,
              CASE WHEN plausible_close(previous, close, days_apart) THEN NULL
                   ELSE 'implausible move: ' || close::numeric(12,4) || ' after ' || previous::numeric(12,4) END
       FROM given
       ON CONFLICT (symbol, as_of, source) DO UPDATE SET close = EXCLUDED.close, flag = EXCLUDED.flag, fetched_at = NOW()
       RETURNING symbol, close, as_of, source, flag
     ), moved AS (
       UPDATE instruments i SET current_price = r.close, price_as_of = r.as_of, price_source = r.source
       FROM recorded r
       WHERE r.symbol = i.symbol AND r.flag IS NULL
         AND plausible_close(i.current_price, r.close, r.as_of - i.price_as_of)
         AND (i.price_as_of IS NULL OR r.as_of > i.price_as_of OR (r.as_of = i.price_as_of AND r.source = 'market'))
       RETURNING i.symbol
     )
     SELECT r.symbol, r.close, g.previous, r.flag IS NOT NULL AS flagged FROM recorded r JOIN given g USING (symbol)`,
    { as_of: P.date(asOf), source, closes: P.json(closes) },
  );
  return {
    recorded: rows
      .filter((r) => !r.flagged)
      .map((r) => r.symbol)
      .sort(),
    flagged: rows
      .filter((r) => r.flagged)
      .map((r) => ({ symbol: r.symbol, close: Number(r.close), previous: Number(r.previous) })),
  };
}

/** {@link recordCloses}, returning the symbols recorded as trusted. */
export async function recordPrices(
  db: Db,
  source: TrustedPriceSource,
  asOf: string,
  closes: Close[],
): Promise<string[]> {
  return (await recordCloses(db, source, asOf, closes)).recorded;
}

/** When market prices were last fetched, and the newest trading day they cover (null: never). */
export async function latestMarketPrices(db: Db): Promise<{ fetched_at: string | null; as_of: string | null }> {
  const { rows } = await db.query<{ fetched_at: string | null; as_of: string | null }>(
    `SELECT MAX(fetched_at) AS fetched_at, MAX(as_of) AS as_of FROM prices WHERE source = 'market'`,
  );
  return rows[0] ?? { fetched_at: null, as_of: null };
}

/** One symbol's price history, newest first. */
export async function priceHistory(db: Db, symbol: string, limit = 10): Promise<PriceRow[]> {
  const { rows } = await db.query<PriceRow>(
    `SELECT symbol, close, as_of, source, fetched_at, flag FROM prices
     WHERE symbol = :symbol ORDER BY as_of DESC, source LIMIT :limit`,
    { symbol, limit },
  );
  return rows;
}

/** Every shared instrument's symbol: what a refresh asks the provider for. */
export async function sharedSymbols(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ symbol: string }>("SELECT symbol FROM instruments ORDER BY symbol");
  return rows.map((r) => r.symbol);
}

/** Shared instruments whose current price is older than `asOf` (or missing): stale after a refresh for that day. */
export async function instrumentsPricedBefore(
  db: Db,
  asOf: string,
): Promise<{ symbol: string; as_of: string | null }[]> {
  const { rows } = await db.query<{ symbol: string; as_of: string | null }>(
    `SELECT symbol, price_as_of AS as_of FROM instruments
     WHERE price_as_of IS NULL OR price_as_of < :as_of::date ORDER BY symbol`,
    { as_of: P.date(asOf) },
  );
  return rows;
}
