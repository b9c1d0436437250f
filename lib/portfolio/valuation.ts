import type { Account, AccountType, Allocation, Portfolio, PriceSource } from "./types.js";

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
  /** Share of the portfolio's total value, in percent. */
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
  /** USD by key, largest first. Account cash counts as `cash`; region and sector cover positions only. */
  allocation: { asset_class: Record<string, number>; region: Record<string, number>; sector: Record<string, number> };
}

/** Rounds a USD amount to the cent. */
export const cents = (value: number) => Math.round((value + Number.EPSILON) * 100) / 100;

const positionValue = (quantity: number, price: number | null) => (price === null ? 0 : quantity * price);

/** Values a portfolio: totals, each account, each holding, and allocations in USD. Pure. */
export function valuePortfolio(portfolio: Portfolio): Valuation {
  const holdings = new Map<string, HoldingValuation>();
  const assetClass: Record<string, number> = {};
  const region: Record<string, number> = {};
  const sector: Record<string, number> = {};
  const unpriced = new Set<string>();

  for (const account of portfolio.accounts) {
    addTo(assetClass, "cash", account.cash_balance);
    for (const { symbol, quantity, instrument } of account.positions) {
      const value = positionValue(quantity, instrument.current_price);
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
        weight: 0,
        accounts: [],
      };
      holding.quantity += quantity;
      holding.value += value;
      if (!holding.accounts.includes(account.name)) holding.accounts.push(account.name);
      holdings.set(symbol, holding);
      spread(assetClass, instrument.allocation_asset_class, value);
      spread(region, instrument.allocation_regions, value);
      spread(sector, instrument.allocation_sectors, value);
    }
  }

  const accounts = portfolio.accounts.map(valueAccount);
  const cash = cents(sum(accounts.map((a) => a.cash)));
  const invested = cents(sum([...holdings.values()].map((h) => h.value)));
  const total = cents(cash + invested);
  const positions = [...holdings.values()]
    .map((h) => ({ ...h, value: cents(h.value), weight: percentOf(h.value, total) }))
    .sort((a, b) => b.value - a.value || a.symbol.localeCompare(b.symbol));

  return {
    total_value: total,
    cash,
    invested,
    accounts,
    positions,
    unpriced: [...unpriced].sort(),
    allocation: { asset_class: sorted(assetClass), region: sorted(region), sector: sorted(sector) },
  };
}

function valueAccount(account: Account): AccountValuation {
  const invested = sum(account.positions.map((p) => positionValue(p.quantity, p.instrument.current_price)));
  return {
    id: account.id,
    name: account.name,
    type: account.type,
    cash: cents(account.cash_balance),
    invested: cents(invested),
    total_value: cents(account.cash_balance + invested),
    positions: account.positions.length,
  };
}

/** `value` split across an allocation's keys by percent. */
function spread(target: Record<string, number>, allocation: Allocation, value: number) {
  for (const [key, percent] of Object.entries(allocation)) {
    if (percent) addTo(target, key, (value * percent) / 100);
  }
}

function addTo(target: Record<string, number>, key: string, amount: number) {
  target[key] = (target[key] ?? 0) + amount;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Percent with two decimals; 0 when the whole is 0. */
export const percentOf = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 100);

function sorted(amounts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(amounts)
      .map(([k, v]) => [k, cents(v)] as const)
      .filter(([, v]) => v !== 0)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  );
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
