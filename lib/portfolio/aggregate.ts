import * as z from "zod";
import { fromCents, lineValueCents } from "./money.js";
import { type Allocation, Portfolio, type Position } from "./types.js";
import type { Valuation } from "./valuation.js";

/** Holdings the specialists see one by one; each account's others are one line ({@link OTHER_HOLDINGS_SYMBOL}). */
export const AGGREGATE_HOLDINGS = 25;

/** The symbol of an account's line for its other holdings (no real symbol has spaces or parentheses). */
export const OTHER_HOLDINGS_SYMBOL = "(other holdings)";

/**
 * What every specialist of a job reads instead of the whole snapshot, bounded whatever the portfolio's size:
 * the portfolio with each account's holdings outside the {@link AGGREGATE_HOLDINGS} largest folded into one
 * line (their value, value-weighted allocations and fees), and the whole portfolio's valuation — totals,
 * accounts, allocations and unpriced symbols exact — with its holdings list cut to the largest (the others
 * counted in `valuation.omitted_holdings`).
 */
export interface PortfolioAggregate {
  portfolio: Portfolio;
  valuation: Valuation;
}

/** The expense ratio a holding is charged (null: none known); the folded line charges the same fees. */
export type ExpenseRatioOf = (position: Position) => number | null;

const OWN_EXPENSE_RATIO: ExpenseRatioOf = (p) => p.instrument.expense_ratio ?? null;

/** Builds the aggregate from the whole portfolio and its valuation. Pure; unchanged when there are few holdings. */
export function aggregatePortfolio(
  portfolio: Portfolio,
  valuation: Valuation,
  keep = AGGREGATE_HOLDINGS,
  expenseRatio: ExpenseRatioOf = OWN_EXPENSE_RATIO,
): PortfolioAggregate {
  const count = valuation.positions.length;
  const lines = portfolio.accounts.reduce((n, a) => n + a.positions.length, 0);
  if (count <= keep && lines <= 2 * keep) return { portfolio, valuation };
  const shown = valuation.positions.slice(0, keep);
  const kept = new Set(shown.map((p) => p.symbol));
  const omittedCents = valuation.positions.slice(keep).reduce((sum, p) => sum + Math.round(p.value * 100), 0);
  // At most 2 × keep position lines: a large holding held in many accounts is folded where it exceeds that.
  let budget = 2 * keep;
  const folded = portfolio.accounts.map((account) => {
    const shownHere = account.positions.filter((p) => kept.has(p.symbol) && budget-- > 0);
    const rest = account.positions.filter((p) => !shownHere.includes(p));
    return rest.length === 0 ? account : { ...account, positions: [...shownHere, otherHoldings(rest, expenseRatio)] };
  });
  return {
    portfolio: { user: portfolio.user, accounts: folded },
    valuation:
      count <= keep
        ? valuation
        : {
            ...valuation,
            positions: shown,
            omitted_holdings: {
              count: count - keep,
              value: fromCents(omittedCents),
              weight: valuation.positions.slice(keep).reduce((sum, p) => sum + p.weight, 0),
            },
          },
  };
}

const valueCents = (p: Position) =>
  p.instrument.current_price === null ? 0 : lineValueCents(p.quantity, p.instrument.current_price);

/**
 * One line for an account's other holdings: quantity 1 at their total value, allocations weighted by value
 * (equal weights when none has a value), and the expense ratio that charges the same fees (null when none is known).
 */
function otherHoldings(positions: Position[], expenseRatio: ExpenseRatioOf): Position {
  const values = positions.map(valueCents);
  const total = values.reduce((a, b) => a + b, 0);
  const weights = total > 0 ? values.map((v) => v / total) : values.map(() => 1 / positions.length);
  const weighted = (pick: (p: Position) => Allocation): Allocation => {
    const out: Record<string, number> = {};
    positions.forEach((p, i) => {
      for (const [key, percent] of Object.entries(pick(p))) out[key] = (out[key] ?? 0) + (percent ?? 0) * weights[i];
    });
    // Float sums of shares may pass 100 by a hair; a share is a percentage.
    return Object.fromEntries(Object.entries(out).map(([key, percent]) => [key, Math.min(100, round9(percent))]));
  };
  const ratios = positions.map(expenseRatio);
  const withRatio = ratios.filter((r) => r !== null);
  const fees = ratios.reduce((sum: number, r, i) => sum + values[i] * (r ?? 0), 0);
  return {
    symbol: OTHER_HOLDINGS_SYMBOL,
    quantity: 1,
    instrument: {
      symbol: OTHER_HOLDINGS_SYMBOL,
      name: `${positions.length} other holdings`,
      instrument_type: null,
      current_price: fromCents(total),
      allocation_asset_class: weighted((p) => p.instrument.allocation_asset_class),
      allocation_regions: weighted((p) => p.instrument.allocation_regions),
      allocation_sectors: weighted((p) => p.instrument.allocation_sectors),
      expense_ratio: withRatio.length === 0 || total === 0 ? null : fees / total,
      price_as_of: null,
      price_source: null,
      price_stale: false,
    },
  };
}

const round9 = (value: number) => Math.round(value * 1e9) / 1e9;

const Num = z.number().finite();

/** Validates a stored aggregate before a specialist trusts it (its valuation as `valuePortfolio` makes it). */
export const PortfolioAggregateSchema = z.object({
  portfolio: Portfolio,
  valuation: z.object({
    total_value: Num,
    cash: Num,
    invested: Num,
    accounts: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        type: Portfolio.shape.accounts.element.shape.type,
        cash: Num,
        invested: Num,
        total_value: Num,
        positions: Num,
      }),
    ),
    positions: z.array(
      z.object({
        symbol: z.string(),
        name: z.string(),
        quantity: Num,
        price: Num.nullable(),
        price_as_of: z.string().nullable(),
        price_source: z.enum(["seed", "market", "user"]).nullable(),
        price_stale: z.boolean(),
        value: Num,
        weight: Num,
        accounts: z.array(z.string()),
      }),
    ),
    unpriced: z.array(z.string()),
    allocation: z.object({
      asset_class: z.record(z.string(), Num),
      region: z.record(z.string(), Num),
      sector: z.record(z.string(), Num),
    }),
    omitted_holdings: z.object({ count: Num, value: Num, weight: Num }).optional(),
  }),
});
