import type { Portfolio } from "../portfolio/types.js";
import { percentOf, type Valuation } from "../portfolio/valuation.js";

/** Retirement goals as the agents see them; null fields were never set by the user. */
export function retirementGoals(portfolio: Portfolio) {
  const { current_age, years_until_retirement, target_retirement_income, annual_contribution } = portfolio.user;
  return { current_age, years_until_retirement, target_retirement_income, annual_contribution };
}

export const hasRetirementGoals = (portfolio: Portfolio) =>
  portfolio.user.years_until_retirement !== null || portfolio.user.target_retirement_income !== null;

export const positionCount = (portfolio: Portfolio) =>
  portfolio.accounts.reduce((n, account) => n + account.positions.length, 0);

/** Positions with a known price: only these have a value to chart. */
export const pricedPositionCount = (portfolio: Portfolio) =>
  portfolio.accounts.reduce(
    (n, account) => n + account.positions.filter((p) => p.instrument.current_price !== null).length,
    0,
  );

/** USD amounts as percentages of the whole, for prompts. */
function shares(amounts: Record<string, number>, total: number): Record<string, number> {
  return Object.fromEntries(Object.entries(amounts).map(([k, v]) => [k, percentOf(v, total)]));
}

/** The compact summary the planner decides from. */
export function planningBrief(portfolio: Portfolio, valuation: Valuation) {
  return {
    total_value: valuation.total_value,
    cash: valuation.cash,
    positions: positionCount(portfolio),
    priced_positions: pricedPositionCount(portfolio),
    distinct_holdings: valuation.positions.length,
    accounts: valuation.accounts.map((a) => ({
      name: a.name,
      type: a.type,
      value: a.total_value,
      positions: a.positions,
    })),
    top_holdings: valuation.positions
      .slice(0, 5)
      .map((p) => ({ symbol: p.symbol, value: p.value, weight_pct: p.weight })),
    retirement_goals: retirementGoals(portfolio),
  };
}

/** The full picture the reporter writes from: every account with its type, holdings and allocations. */
export function analysisBrief(portfolio: Portfolio, valuation: Valuation) {
  const total = valuation.total_value;
  return {
    investor: { name: portfolio.user.display_name, ...retirementGoals(portfolio) },
    totals: { total_value: total, invested: valuation.invested, cash: valuation.cash },
    accounts: portfolio.accounts.map((account) => {
      const value = valuation.accounts.find((a) => a.id === account.id);
      return {
        name: account.name,
        type: account.type,
        purpose: account.purpose,
        value: value?.total_value ?? 0,
        cash: account.cash_balance,
        cash_interest_pct: account.cash_interest * 100,
        holdings: account.positions.map((p) => ({ symbol: p.symbol, quantity: p.quantity })),
      };
    }),
    holdings: valuation.positions.map((p) => {
      const instrument = portfolio.accounts.flatMap((a) => a.positions).find((x) => x.symbol === p.symbol)?.instrument;
      return {
        symbol: p.symbol,
        name: p.name,
        value: p.value,
        weight_pct: p.weight,
        asset_class: instrument?.allocation_asset_class ?? {},
        regions: instrument?.allocation_regions ?? {},
      };
    }),
    allocation_pct: {
      asset_class: shares(valuation.allocation.asset_class, total),
      region: shares(valuation.allocation.region, valuation.invested),
      sector: shares(valuation.allocation.sector, valuation.invested),
    },
    unpriced: valuation.unpriced,
  };
}

/** User text in the portfolio (names, purposes, symbols) that a report may quote. */
export function userStrings(portfolio: Portfolio): string[] {
  return [
    portfolio.user.display_name ?? "",
    ...portfolio.accounts.flatMap((a) => [
      a.name,
      a.purpose ?? "",
      ...a.positions.flatMap((p) => [p.symbol, p.instrument.name]),
    ]),
  ];
}
