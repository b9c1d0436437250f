import * as z from "zod";
import type { HoldingValuation } from "../portfolio/valuation.js";

/** What prices a job's valuation used: the newest trusted date, and the holdings to flag. */
export interface PricesUsed {
  as_of: string | null;
  source: "market" | "seed" | null;
  stale: { symbol: string; as_of: string | null }[];
  user_given: { symbol: string; price: number; as_of: string | null }[];
  unpriced: string[];
}

export function pricesUsed(
  positions: Pick<HoldingValuation, "symbol" | "price" | "price_as_of" | "price_source" | "price_stale">[],
): PricesUsed {
  const trusted = positions.filter(
    (p) => p.price !== null && (p.price_source === "market" || p.price_source === "seed"),
  );
  const newest = trusted.reduce<(typeof trusted)[number] | undefined>(
    (a, p) => (!a || (p.price_as_of ?? "") > (a.price_as_of ?? "") ? p : a),
    undefined,
  );
  return {
    as_of: newest?.price_as_of ?? null,
    source: (newest?.price_source as "market" | "seed" | undefined) ?? null,
    stale: trusted
      .filter((p) => p.price_stale || (newest && p.price_as_of !== newest.price_as_of))
      .map((p) => ({ symbol: p.symbol, as_of: p.price_as_of })),
    user_given: positions
      .filter((p) => p.price !== null && p.price_source === "user")
      .map((p) => ({ symbol: p.symbol, price: p.price!, as_of: p.price_as_of })),
    unpriced: positions.filter((p) => p.price === null).map((p) => p.symbol),
  };
}

/** The label a user-given price carries wherever it is shown. */
const userPriceLabel = (asOf: string | null) => `price given by you${asOf ? ` on ${asOf}` : ""}`;

/** One sentence per fact, for the report, the page and the CLI. */
export function pricesNotes(used: PricesUsed, refresh?: PriceRefreshRecord | null): string[] {
  const notes: string[] = [];
  if (used.as_of)
    notes.push(`Prices as of ${used.as_of} (${used.source === "market" ? "market close" : "seed prices"}).`);
  if (refresh?.status === "failed")
    notes.push(`The price refresh failed (${refresh.error}); the last known prices were used.`);
  if (used.stale.length)
    notes.push(`Stale: ${used.stale.map((s) => `${s.symbol} (last price ${s.as_of ?? "unknown"})`).join(", ")}.`);
  if (used.user_given.length)
    notes.push(
      `Not market data: ${used.user_given.map((u) => `${u.symbol} (${userPriceLabel(u.as_of)})`).join(", ")}.`,
    );
  if (used.unpriced.length) notes.push(`Unpriced, valued at $0: ${used.unpriced.join(", ")}.`);
  return notes;
}

const Refreshed = z.object({
  status: z.enum(["refreshed", "skipped"]),
  as_of: z.string().nullable(),
  reason: z.string().optional(),
});
const Caught = z.object({ Error: z.string(), Cause: z.string().optional() });

/** The `Refresh prices` state's outcome as the job records it. */
export type PriceRefreshRecord =
  | { status: "refreshed" | "skipped"; as_of: string | null; reason?: string }
  | { status: "failed"; error: string };

/** Reads what `$.prices` holds: the task's result, or the `{Error, Cause}` its Catch stored. */
export function readPriceRefresh(
  value: unknown,
  describe: (e: z.infer<typeof Caught>) => string,
): PriceRefreshRecord | null {
  const ok = Refreshed.safeParse(value);
  if (ok.success) return ok.data;
  const caught = Caught.safeParse(value);
  if (caught.success) return { status: "failed", error: describe(caught.data) };
  return null;
}

/** The report's closing note on the prices it used (stale and user-given ones flagged). */
export function withPricesNote(report: string, positions: Parameters<typeof pricesUsed>[0]): string {
  const notes = pricesNotes(pricesUsed(positions));
  return notes.length === 0 || report.length === 0
    ? report
    : `${report}\n\n### Prices\n\n${notes.map((n) => `- ${n}`).join("\n")}`;
}
