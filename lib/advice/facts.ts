import * as z from "zod";
import { PROFILE_DEFAULTS } from "../portfolio/retirement-plan.js";
import type { Instrument, Portfolio } from "../portfolio/types.js";
import { percentOf, type Valuation } from "../portfolio/valuation.js";
import type { RetirementOutlook } from "../retirement/outlook.js";

/** Cash a retiree keeps as a reserve: up to this many years of net withdrawals is not idle. */
const RESERVE_YEARS = 2;
/** A holding above this share of the portfolio is a concentration worth naming. */
export const CONCENTRATION_PERCENT = 25;
/** Cash above this share of a saver's portfolio is idle. */
export const IDLE_CASH_PERCENT = 10;
/** Success rate the plan's levers aim for when the outlook does not say. */
export const DEFAULT_TARGET_SUCCESS = 85;

/**
 * The single levers that reach the target success rate (h20a's solver, `retirement_payload.outlook.what_it_takes`):
 * today's dollars and percent, null where a lever cannot reach it.
 */
export const WhatItTakes = z.object({
  target_success: z.number().finite(),
  contribution_per_year: z.number().finite().nullable(),
  retirement_age: z.number().finite().nullable(),
  spending_per_year: z.number().finite().nullable(),
});
export type WhatItTakes = z.infer<typeof WhatItTakes>;

/**
 * What a holding is, for advice: a single stock or a sector fund is a bet; a multi-asset or broad fund is
 * diversification; a holding with no known mix is unknown, never called either.
 */
export type HoldingKind = "single_stock" | "sector_fund" | "broad_fund" | "multi_asset_fund" | "unknown";

export interface HoldingFact {
  symbol: string;
  /** Percent of the portfolio, unrounded. */
  weight: number;
  kind: HoldingKind;
}

/** Who the advice is for: every precondition of every advice sentence reads these, and only these. */
export interface AdviceFacts {
  situation: "saving" | "retired";
  /** Years of earned income ahead (0 for a retiree). */
  years_to_retirement: number;
  retirement_years: number;
  total_value: number;
  cash: number;
  invested: number;
  cash_percent: number;
  /** Nothing held at all: no value and no unpriced holdings. */
  empty: boolean;
  /** Everything with a price is cash, and something is held. */
  all_cash: boolean;
  unpriced: string[];
  holdings: HoldingFact[];
  /** Percent of the whole portfolio by asset class, unrounded. */
  asset_percent: Record<string, number>;
  /** Percent of invested assets outside North America, unrounded. */
  international_percent: number;
  technology_percent: number;
  /** Cash kept as a reserve for withdrawals (a retiree's two years of net withdrawals), whole dollars. */
  cash_reserve: number;
  /** Cash above the reserve, whole dollars. */
  idle_cash: number;
  /** Names of the income sources given (Social Security, a pension). */
  income_sources: string[];
  /** Accounts in which bond funds sit in a taxable account while a tax-advantaged account exists. */
  taxable_bond_accounts: string[];
  goals_set: boolean;
  outlook: RetirementOutlook | null;
  what_it_takes: WhatItTakes | null;
}

/** The facts of one person's portfolio, valuation and retirement outlook (pure). */
export function adviceFacts(portfolio: Portfolio, v: Valuation, outlook?: RetirementOutlook | null): AdviceFacts {
  const o = outlook ?? null;
  const yearsToRetirement = o?.years_to_retirement ?? yearsToRetirementOf(portfolio);
  const situation = o?.situation ?? (yearsToRetirement === 0 ? "retired" : "saving");
  const netWithdrawal = o && situation === "retired" ? o.money.first_year_withdrawal : 0;
  const cashReserve = Math.min(Math.round(v.cash), RESERVE_YEARS * netWithdrawal);
  const instruments = new Map(portfolio.accounts.flatMap((a) => a.positions.map((p) => [p.symbol, p.instrument])));
  const hasSheltered = portfolio.accounts.some((a) => a.type !== "taxable");
  return {
    situation,
    years_to_retirement: yearsToRetirement,
    retirement_years: o?.retirement_years ?? 0,
    total_value: v.total_value,
    cash: v.cash,
    invested: v.invested,
    cash_percent: percentOf(v.cash, v.total_value),
    empty: v.total_value === 0 && v.unpriced.length === 0,
    all_cash: v.total_value > 0 && v.invested === 0 && v.unpriced.length === 0,
    unpriced: v.unpriced,
    holdings: v.positions
      .filter((p) => p.price !== null)
      .map((p) => ({ symbol: p.symbol, weight: p.weight, kind: holdingKind(instruments.get(p.symbol)) })),
    asset_percent: Object.fromEntries(
      Object.entries(v.allocation.asset_class).map(([k, amount]) => [k, percentOf(amount, v.total_value)]),
    ),
    international_percent: v.invested > 0 ? 100 - percentOf(v.allocation.region.north_america ?? 0, v.invested) : 0,
    technology_percent: percentOf(v.allocation.sector.technology ?? 0, v.invested),
    cash_reserve: cashReserve,
    idle_cash: Math.max(0, Math.round(v.cash) - cashReserve),
    income_sources: incomeSourceNames(portfolio),
    taxable_bond_accounts: hasSheltered
      ? portfolio.accounts
          .filter(
            (a) =>
              a.type === "taxable" &&
              a.positions.some((p) => (p.instrument.allocation_asset_class.fixed_income ?? 0) > 0),
          )
          .map((a) => a.name)
      : [],
    goals_set: o?.goals_set ?? false,
    outlook: o,
    what_it_takes: whatItTakesOf(o),
  };
}

/** `outlook.what_it_takes` when the outlook carries it (h20a's solver), else null. */
function whatItTakesOf(outlook: RetirementOutlook | null): WhatItTakes | null {
  const parsed = WhatItTakes.safeParse((outlook as { what_it_takes?: unknown } | null)?.what_it_takes);
  return parsed.success ? parsed.data : null;
}

/** What a holding is (see {@link HoldingKind}). */
export function holdingKind(instrument: Instrument | undefined): HoldingKind {
  if (!instrument) return "unknown";
  if (instrument.instrument_type === "stock") return "single_stock";
  const classes = Object.values(instrument.allocation_asset_class).filter((share) => (share ?? 0) >= 10);
  if (classes.length >= 2) return "multi_asset_fund";
  const sectors = Object.entries(instrument.allocation_sectors).filter(([, share]) => (share ?? 0) > 0);
  if (classes.length === 0 || sectors.length === 0) return "unknown";
  const [sector, share] = sectors.reduce((a, b) => ((b[1] ?? 0) > (a[1] ?? 0) ? b : a));
  const equityOrCommodity = (instrument.allocation_asset_class.fixed_income ?? 0) < 50;
  return equityOrCommodity && sector !== "diversified" && (share ?? 0) >= 50 ? "sector_fund" : "broad_fund";
}

/** Years to retirement without an outlook: the user's, else the profile defaults' (retiring at 65). */
function yearsToRetirementOf(portfolio: Portfolio): number {
  const { years_until_retirement: years, current_age: age } = portfolio.user;
  if (years !== null) return years;
  return Math.max(0, PROFILE_DEFAULTS.retirement_age - (age ?? PROFILE_DEFAULTS.current_age));
}

const IncomeNames = z.object({ income: z.array(z.object({ name: z.string() })).optional() });

function incomeSourceNames(portfolio: Portfolio): string[] {
  const plan = IncomeNames.safeParse(portfolio.user.retirement_plan ?? {});
  return plan.success ? (plan.data.income ?? []).map((s) => s.name) : [];
}

/** True when the holding is a bet (a single stock or a sector fund), not diversification. */
export const isBet = (kind: HoldingKind) => kind === "single_stock" || kind === "sector_fund";
