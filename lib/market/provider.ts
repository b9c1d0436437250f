/** One trading day's closing prices from a market-data provider, for the symbols it returned. */
export interface DailyCloses {
  /** The trading day (YYYY-MM-DD, New York). */
  date: string;
  closes: { symbol: string; close: number }[];
  /** Tickers whose bar could not be used, each with the reason (the others are stored). */
  skipped?: { symbol: string; reason: string }[];
}

/** A source of end-of-day prices. `dailyCloses` resolves with no closes for a day without trading. */
export interface MarketDataProvider {
  readonly name: string;
  dailyCloses(date: string): Promise<DailyCloses>;
}

/** Base of every market-data failure; the message never contains the key. */
export class MarketDataError extends Error {
  override name = "MarketDataError";
}

/** 401/403: the key is missing, wrong, or its plan does not include the endpoint. Not retried. */
export class MarketDataAuthError extends MarketDataError {
  override name = "MarketDataAuthError";
}

/** A body that is not what the provider documents. Not retried. */
export class MarketDataResponseError extends MarketDataError {
  override name = "MarketDataResponseError";
}

/** The day's closes could not be stored: the message says why in words, never the raw SQL error. */
export class MarketDataStoreError extends MarketDataError {
  override name = "MarketDataStoreError";
}

/** Still rate-limited (429) or failing (5xx, timeout) after every retry. */
export class MarketDataUnavailableError extends MarketDataError {
  override name = "MarketDataUnavailableError";
}
