import { readFile } from "node:fs/promises";
import { z } from "zod";
import { RetirementPlan } from "../retirement/input.js";
import { formatPath } from "../validation.js";
import { enforcePortfolioLimits, PORTFOLIO_LIMITS, refuseControlCharacters } from "./limits.js";
import { ACCOUNT_TYPES, INSTRUMENT_TYPES } from "./types.js";

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

/** The user id a file maps to: its `user.id`, or one derived from the display name. */
export function userIdOf(file: PortfolioFile): string {
  if (file.user.id) return file.user.id;
  const slug = file.user.display_name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return `local:${slug || "user"}`;
}
