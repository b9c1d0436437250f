import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import * as z from "zod";
import { formatPath } from "../validation.js";
import { enforcePortfolioLimits, PORTFOLIO_LIMITS, refuseControlCharacters } from "./limits.js";
import { toCents } from "./money.js";
import { MAX_HORIZON_AGE, MIN_RETIREMENT_YEARS, PROFILE_DEFAULTS, RetirementPlan } from "./retirement-plan.js";
import { ACCOUNT_TYPES, INSTRUMENT_TYPES } from "./types.js";

/**
 * The largest amount (USD) a portfolio or a position may reach: its cents (1e14) stay far inside the
 * integers a double holds exactly (2^53 ≈ 9.007e15), and it is the bound of the retirement inputs and the
 * charts. Beyond it an import is refused (here at the stated prices, by the importer at the stored ones).
 */
export const MAX_MONEY = 1e12;

const TickerSymbol = z
  .string()
  .trim()
  .min(1)
  .max(20)
  .regex(/^[A-Za-z0-9.^-]+$/, "letters, digits, '.', '-' or '^' only")
  .transform((s) => s.toUpperCase());

/** Largest and smallest amounts the database columns hold once rounded (see 001_schema.sql). */
const QUANTITY_MIN = 0.00000001;
const QUANTITY_MAX = 999_999_999_999.9999;
const CASH_MAX = 9_999_999_999.99;

const PositionEntry = z.strictObject({
  symbol: TickerSymbol,
  // positions.quantity is DECIMAL(20,8): anything that would round to 0 or overflow is refused here,
  // with the field's path, instead of failing later as a database error.
  quantity: z
    .number()
    .min(QUANTITY_MIN, `must be positive, at least ${QUANTITY_MIN.toFixed(8)}`)
    .max(QUANTITY_MAX, `must be at most ${QUANTITY_MAX}`),
  name: z.string().trim().min(1).max(255).optional(),
  price: z.number().min(0).max(999_999).optional(),
  instrument_type: z.enum(INSTRUMENT_TYPES).optional(),
});

const AccountEntry = z.strictObject({
  name: z.string().trim().min(1).max(255),
  type: z.enum(ACCOUNT_TYPES),
  purpose: z.string().trim().max(1000).optional(),
  // accounts.cash_balance is DECIMAL(12,2).
  cash_balance: z.number().min(0).max(CASH_MAX, `must be at most ${CASH_MAX}`).default(0),
  cash_interest: z.number().min(0).max(1).default(0),
  positions: z.array(PositionEntry).max(PORTFOLIO_LIMITS.positions).default([]),
});

const UserEntry = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_.:@-]{1,255}$/, "letters, digits and _ . : @ - only")
    .optional(),
  display_name: z.string().trim().min(1).max(255),
  current_age: z.number().int().min(18).max(100).optional(),
  years_until_retirement: z.number().int().min(0).max(100).optional(),
  target_retirement_income: z.number().min(0).max(1e9).optional(),
  annual_contribution: z.number().min(0).max(1e9).optional(),
});

/**
 * A retirement that starts too late to plan (fewer than MIN_RETIREMENT_YEARS before MAX_HORIZON_AGE, e.g. age 100
 * retiring in 20 years) is refused at import, naming the field, instead of failing the job's projection later.
 */
function refuseRetirementPastTheHorizon(file: { user: z.infer<typeof UserEntry> }, ctx: z.RefinementCtx): void {
  const { current_age, years_until_retirement } = file.user;
  if (years_until_retirement === undefined) return;
  const age = current_age ?? PROFILE_DEFAULTS.current_age;
  const retirementAge = age + years_until_retirement;
  const latest = MAX_HORIZON_AGE - MIN_RETIREMENT_YEARS;
  if (retirementAge <= latest) return;
  ctx.addIssue({
    code: "custom",
    path: ["user", "years_until_retirement"],
    message: `retiring at ${retirementAge} (age ${age}${current_age === undefined ? ", the default" : ""} + ${years_until_retirement} years) is past the plan's horizon: retirement must start by ${latest}, leaving ${MIN_RETIREMENT_YEARS} years before age ${MAX_HORIZON_AGE}`,
  });
}

/** A portfolio a user brings as a JSON file (see README for the format). */
export const PortfolioFile = z
  .strictObject({
    user: UserEntry,
    accounts: z.array(AccountEntry).max(PORTFOLIO_LIMITS.accounts),
    /** Social Security and pensions, withdrawal tax rate, contribution growth, assumption overrides (see README). */
    retirement: RetirementPlan.optional(),
  })
  .superRefine(refuseControlCharacters)
  .superRefine(enforcePortfolioLimits)
  .superRefine(refuseRetirementPastTheHorizon)
  .superRefine(refuseConflictingPrices)
  .superRefine(refuseAmountsBeyondMoney)
  .superRefine((file, ctx) => {
    file.accounts.forEach((account, a) => {
      const seen = new Set<string>();
      account.positions.forEach((position, p) => {
        if (seen.has(position.symbol)) {
          ctx.addIssue({
            code: "custom",
            path: ["accounts", a, "positions", p, "symbol"],
            message: `${position.symbol} appears twice in this account`,
          });
        }
        seen.add(position.symbol);
      });
    });
  });
export type PortfolioFile = z.infer<typeof PortfolioFile>;

export class PortfolioFileError extends Error {
  override name = "PortfolioFileError";
}

/** Validates parsed JSON; the error lists each problem with the field's path. */
export function parsePortfolioFile(data: unknown, source = "portfolio"): PortfolioFile {
  const result = PortfolioFile.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  ${formatPath(issue.path) || "(file)"}: ${issue.message}`);
  throw new PortfolioFileError(`${source} is not a valid portfolio file:\n${problems.join("\n")}`);
}

export async function readPortfolioFile(path: string): Promise<PortfolioFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new PortfolioFileError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PortfolioFileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parsePortfolioFile(data, path);
}

/**
 * The user id a file maps to: its `user.id`, or — never lossily — one made from the whole display name
 * (NFC-normalised, hashed): 张伟 and 李娜, "Sam Smith" and "sam.smith!" are different people. Importing
 * over someone's portfolio therefore needs their id or exactly their name.
 */
export function userIdOf(file: PortfolioFile): string {
  if (file.user.id) return file.user.id;
  const hash = createHash("sha256").update(file.user.display_name.normalize("NFC")).digest("hex");
  return `local:${hash.slice(0, 32)}`;
}

type PositionAt = { path: (string | number)[]; price: number };

/** One symbol stated at two prices (in two accounts) is refused with both fields' paths: neither silently wins. */
function refuseConflictingPrices(
  file: { accounts: { positions: { symbol: string; price?: number }[] }[] },
  ctx: z.RefinementCtx,
) {
  const first = new Map<string, PositionAt>();
  file.accounts.forEach((account, a) => {
    account.positions.forEach((position, p) => {
      if (position.price === undefined) return;
      const here = { path: ["accounts", a, "positions", p, "price"], price: position.price };
      const before = first.get(position.symbol);
      if (!before) first.set(position.symbol, here);
      else if (before.price !== position.price)
        ctx.addIssue({
          code: "custom",
          path: here.path,
          message: `${position.symbol} is priced ${position.price} here but ${before.price} at ${formatPath(before.path)}; one symbol has one price`,
        });
    });
  });
}

/**
 * Amounts the analysis cannot hold exactly are refused here, not by every specialist later: a position's
 * stated value, and the cash plus stated values of the whole file, at most {@link MAX_MONEY}.
 */
function refuseAmountsBeyondMoney(
  file: { accounts: { cash_balance: number; positions: { quantity: number; price?: number }[] }[] },
  ctx: z.RefinementCtx,
) {
  const limit = `$${MAX_MONEY.toLocaleString("en-US")}`;
  let totalCents = 0;
  file.accounts.forEach((account, a) => {
    totalCents += toCents(account.cash_balance);
    account.positions.forEach((position, p) => {
      if (position.price === undefined) return;
      const value = position.quantity * position.price;
      if (value > MAX_MONEY)
        ctx.addIssue({
          code: "custom",
          path: ["accounts", a, "positions", p, "quantity"],
          message: `is worth ${value.toExponential(3)} at its stated price; amounts above ${limit} are not held exactly`,
        });
      else totalCents += toCents(value);
    });
  });
  if (totalCents > MAX_MONEY * 100)
    ctx.addIssue({
      code: "custom",
      path: ["accounts"],
      message: `add up to more than ${limit}, the most the analysis holds exactly`,
    });
}
