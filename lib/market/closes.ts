import * as z from "zod";
import { newYorkDate } from "./trading-days.js";

/** The largest close the database holds exactly (`prices.close` is DECIMAL(12,4)). */
const MAX_CLOSE = 99_999_999.9999;
/** The smallest close it holds (four decimals, and a close is positive). */
const MIN_CLOSE = 0.0001;

/** Polygon's grouped-daily bar: ticker `T`, close `c`, start of the bar `t` (ms since the epoch). */
const Bar = z.object({ T: z.string().min(1).max(20), c: z.number().finite(), t: z.number().int() });

/** A ticker left out of a day's closes, and why, in words for a person. */
export interface SkippedClose {
  symbol: string;
  reason: string;
}

export interface ScreenedCloses {
  closes: { symbol: string; close: number }[];
  skipped: SkippedClose[];
}

/**
 * One day's bars as closes the database can store: a bad bar skips its ticker with a reason (and only
 * that ticker); a bar of another day is not this day's close; a ticker given twice with two closes is
 * skipped, given twice with one close is kept once.
 */
export function screenBars(bars: unknown[], date: string): ScreenedCloses {
  const skipped: SkippedClose[] = [];
  const byTicker = new Map<string, number[]>();
  for (const [index, raw] of bars.entries()) {
    const bar = Bar.safeParse(raw);
    if (!bar.success) {
      const ticker = (raw as { T?: unknown } | null)?.T;
      const symbol = typeof ticker === "string" && ticker ? ticker.slice(0, 20) : `bar ${index}`;
      const issue = bar.error.issues[0];
      skipped.push({ symbol, reason: `its bar is malformed (${issue.path.join(".") || "bar"}: ${issue.message})` });
      continue;
    }
    if (newYorkDate(new Date(bar.data.t)) !== date) continue;
    const reason = closeProblem(bar.data.c);
    if (reason) skipped.push({ symbol: bar.data.T, reason });
    else byTicker.set(bar.data.T, [...(byTicker.get(bar.data.T) ?? []), round4(bar.data.c)]);
  }
  const closes: ScreenedCloses["closes"] = [];
  for (const [symbol, values] of byTicker) {
    const distinct = [...new Set(values)];
    if (distinct.length === 1) closes.push({ symbol, close: distinct[0] });
    else
      skipped.push({
        symbol,
        reason: `the day has ${values.length} bars for it with different closes (${distinct.join(", ")})`,
      });
  }
  return { closes, skipped };
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** Why a close cannot be stored, or undefined when it can. */
function closeProblem(close: number): string | undefined {
  if (close <= 0) return `its close ${close} is not a positive price`;
  if (round4(close) < MIN_CLOSE) return `its close ${close} is below $${MIN_CLOSE}, the smallest price stored`;
  if (close > MAX_CLOSE)
    return `its close ${close} is beyond $${MAX_CLOSE.toLocaleString("en-US", { maximumFractionDigits: 4 })}, the largest price stored`;
  return undefined;
}
