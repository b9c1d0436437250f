import { newYorkDate } from "./trading-days.js";

/** Prices more than this many trading days older than the valuation are flagged beside the value. */
export const STALE_AFTER_TRADING_DAYS = 5;

/** Weekdays (New York) after `asOf` up to and including the day before `at`: the closes `asOf` has missed. */
export function tradingDaysSince(asOf: string, at: Date): number {
  const day = new Date(`${asOf}T12:00:00Z`);
  const until = newYorkDate(at);
  if (Number.isNaN(day.getTime()) || asOf >= until) return 0;
  let count = 0;
  for (;;) {
    day.setUTCDate(day.getUTCDate() + 1);
    const date = day.toISOString().slice(0, 10);
    if (date >= until) return count;
    const weekday = day.getUTCDay();
    if (weekday !== 0 && weekday !== 6) count++;
  }
}

/**
 * "prices as of 2024-01-02, 480 trading days before this valuation" when the newest price used is more than
 * {@link STALE_AFTER_TRADING_DAYS} trading days old at `at`; null when recent (or there are no prices).
 */
export function stalePricesNote(asOf: string | null | undefined, at: Date): string | null {
  if (!asOf) return null;
  const days = tradingDaysSince(asOf, at);
  if (days <= STALE_AFTER_TRADING_DAYS) return null;
  return `prices as of ${asOf}, ${days.toLocaleString("en-US")} trading days before this valuation`;
}
