import { fromCents, lineValueCents, percentOf, toCents } from "./money.js";
import type { Account, AccountType, Allocation, Portfolio, PriceSource } from "./types.js";

export { cents, percentOf } from "./money.js";

/** The key for value whose instrument has no allocation in a dimension (never folded into another slice). */
export const UNCLASSIFIED = "unclassified";

export interface AccountValuation {
  id: string;
  name: string;
  type: AccountType;
  cash: number;
  invested: number;
  total_value: number;
  positions: number;
}

export interface HoldingValuation {
  symbol: string;
  name: string;
  quantity: number;
  price: number | null;
  /** The price's date and source (`user`: given by the user in their file); stale when a newer market day lacks it. */
  price_as_of: string | null;
  price_source: PriceSource | null;
  price_stale: boolean;
  value: number;
  /** Share of the portfolio's total value, in percent, unrounded (rounded once where shown). */
  weight: number;
  accounts: string[];
}

export interface Valuation {
  total_value: number;
  cash: number;
  invested: number;
  accounts: AccountValuation[];
  positions: HoldingValuation[];
  /** Symbols without a price; they are valued at 0, never guessed. */
  unpriced: string[];
  /**
   * USD by key, largest first; each adds up to its total to the cent. Account cash counts as `cash` (so asset classes
   * add up to `total_value`); region and sector cover positions only (adding up to `invested`). Value of an
   * instrument without an allocation in a dimension is `unclassified`.
   */
  allocation: { asset_class: Record<string, number>; region: Record<string, number>; sector: Record<string, number> };
  /**
   * Holdings left out of `positions` (the specialists' compact aggregate lists only the largest;
   * `lib/portfolio/aggregate.ts`): how many, their value and their share of the total in percent.
   */
  omitted_holdings?: { count: number; value: number; weight: number };
}

const positionCents = (quantity: number, price: number | null) =>
  price === null ? 0 : lineValueCents(quantity, price);

/** Values a portfolio in integer cents: totals, each account, each holding, and allocations. Pure. */
export function valuePortfolio(portfolio: Portfolio): Valuation {
  const holdings = new Map<string, HoldingValuation & { cents: number }>();
  const assetClass: Exact = {};
  const region: Exact = {};
  const sector: Exact = {};
  const unpriced = new Set<string>();

  for (const account of portfolio.accounts) {
    addTo(assetClass, "cash", BigInt(toCents(account.cash_balance)) * EXACT_PER_CENT);
    for (const { symbol, quantity, instrument } of account.positions) {
      const value = positionCents(quantity, instrument.current_price);
      if (instrument.current_price === null) unpriced.add(symbol);
      const holding = holdings.get(symbol) ?? {
        symbol,
        name: instrument.name,
        quantity: 0,
        price: instrument.current_price,
        price_as_of: instrument.price_as_of ?? null,
        price_source: instrument.price_source ?? null,
        price_stale: instrument.price_stale ?? false,
        value: 0,
        cents: 0,
        weight: 0,
        accounts: [],
      };
      holding.quantity += quantity;
      holding.cents += value;
      if (!holding.accounts.includes(account.name)) holding.accounts.push(account.name);
      holdings.set(symbol, holding);
      spread(assetClass, instrument.allocation_asset_class, value);
      spread(region, instrument.allocation_regions, value);
      spread(sector, instrument.allocation_sectors, value);
    }
  }

  const accounts = portfolio.accounts.map(valueAccount);
  const cashCents = sum(portfolio.accounts.map((a) => toCents(a.cash_balance)));
  const investedCents = sum([...holdings.values()].map((h) => h.cents));
  const totalCents = cashCents + investedCents;
  const positions = [...holdings.values()]
    .map(({ cents: c, ...h }) => ({ ...h, value: fromCents(c), weight: percentOf(c, totalCents) }))
    .sort((a, b) => b.value - a.value || a.symbol.localeCompare(b.symbol));

  return {
    total_value: fromCents(totalCents),
    cash: fromCents(cashCents),
    invested: fromCents(investedCents),
    accounts,
    positions,
    unpriced: [...unpriced].sort(),
    allocation: {
      asset_class: sorted(bucketCents(assetClass)),
      region: sorted(bucketCents(region)),
      sector: sorted(bucketCents(sector)),
    },
  };
}

function valueAccount(account: Account): AccountValuation {
  const invested = sum(account.positions.map((p) => positionCents(p.quantity, p.instrument.current_price)));
  const cash = toCents(account.cash_balance);
  return {
    id: account.id,
    name: account.name,
    type: account.type,
    cash: fromCents(cash),
    invested: fromCents(invested),
    total_value: fromCents(cash + invested),
    positions: account.positions.length,
  };
}

/** Bucket amounts kept exact while summing: cents × hundredths of a percent (1/10,000 of a cent). */
type Exact = Record<string, bigint>;
const EXACT_PER_CENT = 10_000n;
const WHOLE_HUNDREDTHS = 10_000;

/**
 * `valueCents` spread exactly across an allocation's keys (stored in hundredths of a percent). A missing share (an
 * allocation below 100, or none) goes to `unclassified`; one above 100 is scaled down to 100 first.
 */
function spread(target: Exact, allocation: Allocation, valueCents: number) {
  const entries = Object.entries(allocation).filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0);
  const keys = entries.map(([key]) => key);
  const hundredths = entries.map(([, percent]) => BigInt(Math.round(percent * 100)));
  const covered = hundredths.reduce((a, b) => a + b, 0n);
  const whole = BigInt(valueCents) * BigInt(WHOLE_HUNDREDTHS);
  if (covered > BigInt(WHOLE_HUNDREDTHS)) {
    // Scaled down to 100 exactly: each key's share of `covered`, the units the division leaves going to the largest
    // remainders, so the keys still add up to the value.
    const parts = exactShares(
      hundredths.map((h) => BigInt(valueCents) * h * BigInt(WHOLE_HUNDREDTHS)),
      covered,
      whole,
    );
    keys.forEach((key, i) => {
      addTo(target, key, parts[i]);
    });
    return;
  }
  if (covered < BigInt(WHOLE_HUNDREDTHS)) {
    keys.push(UNCLASSIFIED);
    hundredths.push(BigInt(WHOLE_HUNDREDTHS) - covered);
  }
  keys.forEach((key, i) => {
    addTo(target, key, BigInt(valueCents) * hundredths[i]);
  });
}

function addTo(target: Exact, key: string, amount: bigint) {
  target[key] = (target[key] ?? 0n) + amount;
}

/**
 * Each bucket's exact amount in whole cents, half-up, adding up to the exact total (largest remainder at the bucket
 * level: it equals half-up rounding whenever half-up already adds up).
 */
function bucketCents(exact: Exact): Record<string, number> {
  const entries = Object.entries(exact);
  const amounts = entries.map(([, amount]) => amount);
  const total = amounts.reduce((a, b) => a + b, 0n) / EXACT_PER_CENT;
  const cents = exactShares(amounts, EXACT_PER_CENT, total);
  return Object.fromEntries(entries.map(([key], i) => [key, Number(cents[i])]));
}

/**
 * Each `numerators[i] / divisor` in whole units, adding up to `total`: the floors, then the units left over to the
 * largest remainders (ties to the first), as `largestRemainder` (./allocation.ts) does for numbers.
 */
function exactShares(numerators: bigint[], divisor: bigint, total: bigint): bigint[] {
  const parts = numerators.map((n) => n / divisor);
  let left = total - parts.reduce((a, b) => a + b, 0n);
  const order = numerators
    .map((n, i) => [n % divisor, i] as const)
    .sort((a, b) => (b[0] > a[0] ? 1 : b[0] < a[0] ? -1 : a[1] - b[1]));
  for (const [, i] of order) {
    if (left <= 0n) break;
    parts[i] += 1n;
    left -= 1n;
  }
  return parts;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Cents by key → dollars by key, largest first, zero keys dropped. */
function sorted(amounts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(amounts)
      .filter(([, v]) => v !== 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, v]) => [k, fromCents(v)] as const),
  );
}

/**
 * The `keep − 1` largest entries and the rest summed (to the cent) as `other` (merged with any `other` key), so a
 * chart of them still adds up to the whole. Unclassified value is kept as its own entry.
 */
export function largestWithOther(amounts: Record<string, number>, keep: number): Record<string, number> {
  const entries = Object.entries(amounts).filter(([key]) => key !== "other" && key !== UNCLASSIFIED);
  const otherCents = toCents(amounts.other ?? 0);
  const unclassified = amounts[UNCLASSIFIED] ?? 0;
  const slots = Math.max(1, keep - (unclassified > 0 ? 1 : 0));
  if (entries.length + (otherCents > 0 ? 1 : 0) <= slots) return amounts;
  const shown = entries.slice(0, slots - 1);
  const rest = otherCents + sum(entries.slice(slots - 1).map(([, v]) => toCents(v)));
  return Object.fromEntries([
    ...shown,
    ["other", fromCents(rest)],
    ...(unclassified > 0 ? [[UNCLASSIFIED, unclassified] as const] : []),
  ]);
}

/** The valuation as `alex portfolio --json` prints it and `summary_payload.portfolio` stores it. */
export function valuationJson(v: Valuation) {
  return {
    total_value: v.total_value,
    cash: v.cash,
    invested: v.invested,
    accounts: v.accounts,
    positions: v.positions,
    unpriced: v.unpriced,
    allocation: v.allocation,
  };
}
