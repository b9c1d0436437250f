import * as z from "zod";
import { ASSET_CLASSES } from "./types.js";

/**
 * The retirement part of a portfolio file: what the user may say about their plan, validated at import and again
 * when a job reads its snapshot. The engine (lib/retirement) reads these shapes; it lives above the portfolio.
 */

/** The latest age a plan may reach. */
export const MAX_HORIZON_AGE = 120;
/** The shortest retirement the plan funds when retirement starts near or past the usual horizon. */
export const MIN_RETIREMENT_YEARS = 5;

/** Used when the user has not said. */
export const PROFILE_DEFAULTS = {
  current_age: 40,
  retirement_age: 65,
  target_retirement_income: 80_000,
  annual_contribution: 0,
} as const;

/** An age in whole years, up to `MAX_HORIZON_AGE`. */
export const Age = z
  .number()
  .int("must be a whole number of years")
  .min(0, "must not be negative")
  .max(MAX_HORIZON_AGE);
/** USD, at most $1e12 (the largest amount the analysis holds exactly). */
export const Money = z.number().finite().min(0, "must not be negative").max(1e12);

/** Social Security, a pension or an annuity: yearly amount in today's dollars from `start_age` on. */
export const IncomeSource = z.strictObject({
  name: z.string().trim().min(1).max(100),
  annual_amount: Money,
  start_age: Age,
  /**
   * True (the default, as Social Security): keeps its buying power. False: a fixed number of dollars once it starts
   * (worth `annual_amount` in today's dollars at the start age only if prices had not moved), eroded by inflation.
   */
  inflation_linked: z.boolean().default(true),
});
export type IncomeSource = z.infer<typeof IncomeSource>;

/** Factors in the correlation matrix: the asset classes, then inflation. */
export const FACTORS = [...ASSET_CLASSES, "inflation"] as const;

const Rate = z.number().finite().gt(-0.5, "must be above -0.5").lt(0.5, "must be below 0.5");
const Volatility = z.number().finite().min(0, "must not be negative").max(1, "must be at most 1");
const AssetOverride = z.strictObject({
  mean: Rate.optional(),
  volatility: Volatility.optional(),
  /** Where the figure comes from; "user override" when not said. */
  source: z.string().trim().min(1).max(200).optional(),
});

/** What a portfolio file may override of the market assumptions; anything left out keeps its default. */
export const AssumptionOverrides = z.strictObject({
  returns: z.partialRecord(z.enum(ASSET_CLASSES), AssetOverride).optional(),
  inflation: z.strictObject({ mean: Rate.optional(), volatility: Volatility.optional() }).optional(),
  /** Full matrix in `FACTORS` order (7 × 7), symmetric, unit diagonal, positive definite. */
  correlations: z
    .array(z.array(z.number().min(-1).max(1)).length(FACTORS.length))
    .length(FACTORS.length)
    .optional(),
});
export type AssumptionOverrides = z.infer<typeof AssumptionOverrides>;

/** Retirement fields a portfolio file may carry (validated at import and again when a job reads its snapshot). */
export const RetirementPlan = z.strictObject({
  /** Real yearly growth of contributions (0.01 = 1% above inflation); omitted: constant in today's dollars. */
  contribution_growth: z.number().finite().min(-0.1).max(0.1).optional(),
  /** Social Security, pensions, annuities. */
  income: z.array(IncomeSource).max(10).optional(),
  /** Effective income-tax rate on withdrawals from 401(k) and traditional IRA accounts (none for Roth or HSA). */
  withdrawal_tax_rate: z.number().finite().min(0).max(0.6).optional(),
  assumptions: AssumptionOverrides.optional(),
  /** Success rate (percent of simulated markets) the plan should reach; default 85. */
  target_success: z.number().finite().min(50).max(99).optional(),
});
export type RetirementPlan = z.infer<typeof RetirementPlan>;
