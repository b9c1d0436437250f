import * as z from "zod";
import {
  Age,
  AssumptionOverrides,
  IncomeSource,
  MAX_HORIZON_AGE,
  MIN_RETIREMENT_YEARS,
  Money,
  PROFILE_DEFAULTS,
  RetirementPlan,
} from "../portfolio/retirement-plan.js";
import { type AccountType, ASSET_CLASSES, type AssetClass, type Portfolio, type Position } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import { EXPENSE_RATIOS } from "../seed/expense-ratios.js";
import {
  ASSUMPTION_DEFAULTS,
  type MarketAssumptions,
  marketAssumptions,
  portfolioMoments,
  singleStockExcessVolatility,
} from "./assumptions.js";

/** The usual end of a retirement plan; extended (and said so) when the user is older or retires later. */
export const HORIZON_AGE = 95;
export const DEFAULT_PATHS = 10_000;
export const DEFAULT_SEED = 42;

const Weight = z.number().finite().min(0, "must not be negative").max(1, "must be at most 1").default(0);

/** Fractions of the portfolio by asset class, summing to 1 (or all 0 for an empty portfolio). */
export const AssetWeights = z
  .strictObject(Object.fromEntries(ASSET_CLASSES.map((c) => [c, Weight])) as Record<AssetClass, typeof Weight>)
  .superRefine((weights, ctx) => {
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    if (total !== 0 && Math.abs(total - 1) > 1e-6) {
      ctx.addIssue({
        code: "custom",
        message: `must add up to 1 (they add up to ${total}), or all be 0 for an empty portfolio`,
      });
    }
  });
export type AssetWeights = z.infer<typeof AssetWeights>;

/** What the engine needs. Money is USD in today's dollars; rates are yearly fractions. */
export const RetirementInput = z
  .strictObject({
    current_value: Money,
    weights: AssetWeights.prefault({}),
    current_age: Age,
    retirement_age: Age,
    horizon_age: Age.default(HORIZON_AGE),
    /** Spending wanted each retirement year, after tax, in today's dollars. */
    target_income: Money,
    annual_contribution: Money.default(0),
    /** Real yearly growth of the contribution; 0 keeps it constant in today's dollars. */
    contribution_growth: z.number().finite().min(-0.5).max(0.5).default(0),
    income: z.array(IncomeSource).max(10).default([]),
    /**
     * Yearly volatility added to the portfolio's, independent of the markets: the risk of single stocks beyond the
     * market's (0 for funds). The portfolio's σ becomes √(wᵀΣw + this²).
     */
    concentration_volatility: z.number().finite().min(0).max(1).default(0),
    /** Value-weighted expense ratio of the portfolio, as a fraction (0.001 = 0.10% a year). */
    fee_rate: z.number().finite().min(0).max(0.1).default(0),
    /** Effective income-tax rate on withdrawals from tax-deferred accounts, and their share of the portfolio. */
    tax: z
      .strictObject({
        rate: z.number().min(0).max(0.9).default(0),
        deferred_share: z.number().min(0).max(1).default(0),
      })
      .prefault({}),
    assumptions: AssumptionOverrides.prefault({}),
    paths: z.number().int().min(1).max(1_000_000).default(DEFAULT_PATHS),
    seed: z.number().int().min(0).max(0xffff_ffff).default(DEFAULT_SEED),
  })
  .superRefine(({ current_age, retirement_age, horizon_age }, ctx) => {
    const problem = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
    if (current_age > horizon_age) problem("current_age", `${current_age} is beyond horizon_age ${horizon_age}`);
    if (retirement_age < current_age)
      problem("retirement_age", `${retirement_age} is before current_age ${current_age}`);
    if (retirement_age > horizon_age)
      problem("retirement_age", `${retirement_age} is beyond horizon_age ${horizon_age}`);
  });
export type RetirementInput = z.infer<typeof RetirementInput>;
/** What callers pass: fields with defaults may be left out. */
export type RetirementInputDraft = z.input<typeof RetirementInput>;

export class RetirementInputError extends Error {
  override name = "RetirementInputError";
}

/** Validates and fills defaults; throws `RetirementInputError` naming every bad field. */
export function parseRetirementInput(draft: unknown): RetirementInput {
  const result = RetirementInput.safeParse(draft);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`);
  throw new RetirementInputError(`Invalid retirement input: ${problems.join("; ")}`);
}

/**
 * The horizon for a user: `HORIZON_AGE`, extended so there are at least `MIN_RETIREMENT_YEARS` of retirement and of
 * projection. Refuses (RetirementInputError) when that passes `MAX_HORIZON_AGE`.
 */
export function horizonFor(currentAge: number, retirementAge: number): number {
  const horizon = Math.max(HORIZON_AGE, retirementAge + MIN_RETIREMENT_YEARS, currentAge + MIN_RETIREMENT_YEARS);
  if (horizon > MAX_HORIZON_AGE) {
    throw new RetirementInputError(
      `Invalid retirement input: retirement_age: retiring at ${retirementAge} leaves no retirement to plan before age ${MAX_HORIZON_AGE}`,
    );
  }
  return horizon;
}

/**
 * The numbers one run uses, years counted from today (year 0). Withdrawal year t (retirementYear < t ≤ horizonYear)
 * is taken at the start of year t, at age currentAge + t − 1; contributions are added at the end of years 1..retirementYear.
 */
export interface Plan {
  startValue: number;
  currentAge: number;
  retirementYear: number;
  horizonYear: number;
  target: number;
  /** Real portfolio return net of fees: mean, σ, and correlation with inflation. */
  mean: number;
  volatility: number;
  inflationMean: number;
  inflationVolatility: number;
  inflationCorrelation: number;
  /** Real contribution added at the end of year t (index t; 0 where none). */
  contributions: Float64Array;
  /** Inflation-linked income in withdrawal year t, today's dollars. */
  linkedIncome: Float64Array;
  /** Fixed-dollar incomes: today's-dollar amount, fixed in dollars from withdrawal year `startYear` (≥ 1) on. */
  fixedSources: { amount: number; startYear: number }[];
  /** Gross withdrawal per dollar of spending not covered by income: 1 / (1 − tax rate × tax-deferred share). */
  grossUp: number;
  paths: number;
  seed: number;
  market: MarketAssumptions;
}

export function planFrom(input: RetirementInput): Plan {
  const market = marketAssumptions(input.assumptions);
  const moments = withConcentration(
    portfolioMoments(input.weights, market, input.fee_rate),
    input.concentration_volatility,
  );
  const retirementYear = input.retirement_age - input.current_age;
  const horizonYear = input.horizon_age - input.current_age;
  const contributions = new Float64Array(horizonYear + 1);
  const linkedIncome = new Float64Array(horizonYear + 1);
  for (let t = 1; t <= horizonYear; t++) {
    if (t <= retirementYear) contributions[t] = input.annual_contribution * (1 + input.contribution_growth) ** (t - 1);
    const age = input.current_age + t - 1;
    for (const source of input.income) {
      if (age < source.start_age) continue;
      if (source.inflation_linked) linkedIncome[t] += source.annual_amount;
    }
  }
  const fixedSources = input.income
    .filter((source) => !source.inflation_linked)
    .map((source) => ({
      amount: source.annual_amount,
      startYear: Math.max(1, source.start_age - input.current_age + 1),
    }));
  return {
    startValue: input.current_value,
    currentAge: input.current_age,
    retirementYear,
    horizonYear,
    target: input.target_income,
    mean: moments.mean,
    volatility: moments.volatility,
    inflationMean: market.inflation.mean,
    inflationVolatility: market.inflation.volatility,
    inflationCorrelation: moments.inflationCorrelation,
    contributions,
    linkedIncome,
    fixedSources,
    grossUp: 1 / (1 - input.tax.rate * input.tax.deferred_share),
    paths: input.paths,
    seed: input.seed,
    market,
  };
}

/** Moments with an independent single-stock component added: σ² grows, the covariance with inflation does not. */
function withConcentration(
  moments: ReturnType<typeof portfolioMoments>,
  extra: number,
): ReturnType<typeof portfolioMoments> {
  if (extra === 0) return moments;
  const volatility = Math.sqrt(moments.volatility ** 2 + extra ** 2);
  return {
    ...moments,
    volatility,
    inflationCorrelation: (moments.inflationCorrelation * moments.volatility) / volatility,
  };
}

/** Gross real withdrawal in year t, given the real value of the fixed-dollar income that year. */
export function withdrawalIn(plan: Plan, year: number, fixedIncome: number): number {
  if (year <= plan.retirementYear) return 0;
  const uncovered = plan.target - plan.linkedIncome[year] - fixedIncome;
  return uncovered > 0 ? uncovered * plan.grossUp : 0;
}

/** Real value of the fixed-dollar incomes in year t when inflation is its mean every year. */
export function expectedFixedIncome(plan: Plan, year: number): number {
  let income = 0;
  for (const { amount, startYear } of plan.fixedSources) {
    if (year >= startYear) income += amount / (1 + plan.inflationMean) ** (year - startYear);
  }
  return income;
}

/** Social Security and pensions in withdrawal year t on the mean-inflation path, today's dollars. */
export function incomeIn(plan: Plan, year: number): number {
  return plan.linkedIncome[year] + expectedFixedIncome(plan, year);
}

/** Account types whose withdrawals are taxed as income. */
export const TAX_DEFERRED_ACCOUNTS: readonly AccountType[] = ["401k", "traditional_ira"];

/** A modelling default the portfolio file left unsaid (see `ASSUMPTION_DEFAULTS`), named in the outlook. */
export interface AssumedDefault {
  assumption: keyof typeof ASSUMPTION_DEFAULTS;
  /** Percent a year. */
  percent: number;
  /** What it applies to: symbols, or the tax-deferred accounts' names. */
  applies_to: string[];
  source: string;
}

/** A single stock's share of the portfolio, percent of total value. */
export interface Concentration {
  symbol: string;
  percent: number;
}

/** How an input was derived from a portfolio, for the outlook's wording. */
export interface InputNotes {
  goals_set: boolean;
  /** Fields that took `PROFILE_DEFAULTS`. */
  defaults_used: string[];
  /** Modelling defaults used where the file said nothing (withdrawal tax, expense ratio, single-stock volatility). */
  assumed: AssumedDefault[];
  /** Held funds without a known expense ratio (modelled at the default ratio). */
  fees_unknown: string[];
  /** Single stocks held, largest first. */
  single_stocks: Concentration[];
  /** Held symbols without a price (valued at 0, never guessed). */
  unpriced: string[];
  /** Weighted nominal interest on account cash, when any cash is held. */
  cash_interest: number | null;
  /** Value not classified into asset classes (assumed to follow the classified mix). */
  unclassified_value: number;
  /** The plan's own `target_success`, when it sets one. */
  target_success?: number;
}

/**
 * Engine input from a portfolio and its valuation: weights from the asset-class dollars, fees from expense ratios,
 * cash's real return from the accounts' `cash_interest`, the tax-deferred share, Social Security and pensions, and
 * the horizon extended (never capped) when retirement starts late. Throws `RetirementInputError` for a bad plan.
 */
export function retirementInputFromPortfolio(
  portfolio: Portfolio,
  valuation: Pick<Valuation, "total_value" | "allocation" | "accounts"> & Partial<Pick<Valuation, "unpriced">>,
  options: { seed?: number; paths?: number } = {},
): { draft: RetirementInputDraft; notes: InputNotes } {
  const user = portfolio.user;
  const planResult = RetirementPlan.safeParse(user.retirement_plan ?? {});
  if (!planResult.success) {
    const problems = planResult.error.issues.map((issue) => `retirement.${issue.path.join(".")}: ${issue.message}`);
    throw new RetirementInputError(`Invalid retirement plan: ${problems.join("; ")}`);
  }
  const plan = planResult.data;
  const defaults: string[] = [];
  const orDefault = <T>(value: T | null | undefined, field: keyof typeof PROFILE_DEFAULTS, fallback: T): T => {
    if (value !== null && value !== undefined) return value;
    defaults.push(field);
    return fallback;
  };
  const currentAge = Math.floor(orDefault(user.current_age, "current_age", PROFILE_DEFAULTS.current_age));
  const retirementAge =
    user.years_until_retirement == null
      ? Math.max(currentAge, orDefault(null, "retirement_age", PROFILE_DEFAULTS.retirement_age))
      : currentAge + Math.round(user.years_until_retirement);
  const fees = feeRate(portfolio, valuation.total_value);
  const stocks = singleStocks(portfolio, valuation.total_value);
  const deferredShare = taxDeferredShare(valuation);
  const taxDefaulted = plan.withdrawal_tax_rate === undefined && deferredShare > 0;
  const taxRate = plan.withdrawal_tax_rate ?? (taxDefaulted ? ASSUMPTION_DEFAULTS.withdrawal_tax_rate.value : 0);
  const cashInterest = weightedCashInterest(portfolio);
  const overrides = plan.assumptions ?? {};
  const inflationMean = overrides.inflation?.mean ?? marketAssumptions().inflation.mean;
  const cashReturn =
    cashInterest === null || overrides.returns?.cash?.mean !== undefined
      ? overrides.returns
      : {
          ...overrides.returns,
          cash: {
            ...overrides.returns?.cash,
            mean: round6((1 + cashInterest) / (1 + inflationMean) - 1),
            source: "the accounts' cash_interest, less expected inflation",
          },
        };
  const draft: RetirementInputDraft = {
    current_value: valuation.total_value,
    weights: assetWeights(valuation),
    current_age: currentAge,
    retirement_age: retirementAge,
    horizon_age: horizonFor(currentAge, retirementAge),
    target_income: orDefault(
      user.target_retirement_income,
      "target_retirement_income",
      PROFILE_DEFAULTS.target_retirement_income,
    ),
    annual_contribution: orDefault(
      user.annual_contribution,
      "annual_contribution",
      PROFILE_DEFAULTS.annual_contribution,
    ),
    contribution_growth: plan.contribution_growth ?? 0,
    income: plan.income ?? [],
    fee_rate: fees.rate,
    concentration_volatility: concentrationVolatility(stocks, overrides.returns?.equity?.volatility),
    tax: { rate: taxRate, deferred_share: deferredShare },
    assumptions: { ...overrides, ...(cashReturn ? { returns: cashReturn } : {}) },
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    ...(options.paths === undefined ? {} : { paths: options.paths }),
  };
  const classified = ASSET_CLASSES.reduce((sum, c) => sum + Math.max(0, valuation.allocation.asset_class[c] ?? 0), 0);
  return {
    draft,
    notes: {
      goals_set: user.years_until_retirement !== null || user.target_retirement_income !== null,
      defaults_used: defaults,
      assumed: [
        ...(taxDefaulted ? [assumedDefault("withdrawal_tax_rate", deferredAccountNames(valuation))] : []),
        ...(fees.unknown.length > 0 ? [assumedDefault("expense_ratio", fees.unknown)] : []),
        ...(stocks.length > 0
          ? [
              assumedDefault(
                "single_stock_volatility",
                stocks.map((s) => s.symbol),
              ),
            ]
          : []),
      ],
      fees_unknown: fees.unknown,
      single_stocks: stocks,
      unpriced: [...(valuation.unpriced ?? [])].sort(),
      cash_interest: cashInterest,
      unclassified_value: Math.max(0, round2(valuation.total_value - classified)),
      ...(plan.target_success === undefined ? {} : { target_success: plan.target_success }),
    },
  };
}

/** Asset-class weights as fractions of the classified value (unclassified value follows the same mix). Empty → all 0. */
export function assetWeights(valuation: Pick<Valuation, "allocation">): AssetWeights {
  const amounts = ASSET_CLASSES.map((assetClass) => Math.max(0, valuation.allocation.asset_class[assetClass] ?? 0));
  const total = amounts.reduce((a, b) => a + b, 0);
  return Object.fromEntries(ASSET_CLASSES.map((c, i) => [c, total > 0 ? amounts[i] / total : 0])) as AssetWeights;
}

/**
 * Value-weighted expense ratio over the whole portfolio (cash pays none). A fund's ratio is the instrument's, else the
 * published one for its symbol (`EXPENSE_RATIOS`, whoever added the instrument), else the stated default, listed as
 * unknown. A single stock or bond has no fund fee.
 */
function feeRate(portfolio: Portfolio, totalValue: number): { rate: number; unknown: string[] } {
  let fees = 0;
  const unknown = new Set<string>();
  for (const account of portfolio.accounts) {
    for (const position of account.positions) {
      const { ratio, known } = fundExpenseRatio(position);
      if (!known) unknown.add(position.symbol);
      fees += position.quantity * (position.instrument.current_price ?? 0) * ratio;
    }
  }
  return { rate: totalValue > 0 ? round6(fees / totalValue) : 0, unknown: [...unknown].sort() };
}

/**
 * The expense ratio the model charges one holding: none for a single stock or bond; a fund's own, else the published
 * one for its symbol, else the stated default (`known: false`). The aggregate folds small holdings' fees with it.
 */
export function fundExpenseRatio({ symbol, instrument }: Position): { ratio: number; known: boolean } {
  if (instrument.instrument_type === "stock" || instrument.instrument_type === "bond") return { ratio: 0, known: true };
  const ratio = instrument.expense_ratio ?? EXPENSE_RATIOS[symbol];
  return ratio === undefined
    ? { ratio: ASSUMPTION_DEFAULTS.expense_ratio.value, known: false }
    : { ratio, known: true };
}

/** Priced single stocks by their share of the portfolio, largest first. */
function singleStocks(portfolio: Portfolio, totalValue: number): Concentration[] {
  if (totalValue <= 0) return [];
  const values = new Map<string, number>();
  for (const account of portfolio.accounts) {
    for (const { symbol, quantity, instrument } of account.positions) {
      if (instrument.instrument_type !== "stock" || !instrument.current_price) continue;
      values.set(symbol, (values.get(symbol) ?? 0) + quantity * instrument.current_price);
    }
  }
  return [...values]
    .map(([symbol, value]) => ({ symbol, percent: Math.round((1000 * value) / totalValue) / 10 }))
    .filter((stock) => stock.percent > 0)
    .sort((a, b) => b.percent - a.percent || a.symbol.localeCompare(b.symbol));
}

/** σ of the single stocks' own risk: each adds its weight × the excess volatility, independently. */
function concentrationVolatility(stocks: Concentration[], equityVolatility?: number): number {
  const excess = singleStockExcessVolatility(equityVolatility);
  return round6(Math.sqrt(stocks.reduce((sum, s) => sum + (s.percent / 100) ** 2, 0)) * excess);
}

function assumedDefault(assumption: AssumedDefault["assumption"], appliesTo: string[]): AssumedDefault {
  const { value, source } = ASSUMPTION_DEFAULTS[assumption];
  return { assumption, percent: Math.round(value * 10_000) / 100, applies_to: appliesTo, source };
}

function deferredAccountNames(valuation: Pick<Valuation, "accounts">): string[] {
  return valuation.accounts.filter((a) => TAX_DEFERRED_ACCOUNTS.includes(a.type)).map((a) => a.name);
}

function weightedCashInterest(portfolio: Portfolio): number | null {
  const cash = portfolio.accounts.reduce((sum, a) => sum + a.cash_balance, 0);
  if (cash <= 0) return null;
  return round6(portfolio.accounts.reduce((sum, a) => sum + a.cash_balance * a.cash_interest, 0) / cash);
}

function taxDeferredShare(valuation: Pick<Valuation, "total_value" | "accounts">): number {
  if (valuation.total_value <= 0) return 0;
  const deferred = valuation.accounts
    .filter((a) => TAX_DEFERRED_ACCOUNTS.includes(a.type))
    .reduce((sum, a) => sum + a.total_value, 0);
  return Math.min(1, round6(deferred / valuation.total_value));
}

const round2 = (value: number) => Math.round(value * 100) / 100;
const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
