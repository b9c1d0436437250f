import * as z from "zod";

export const REGIONS = [
  "north_america",
  "europe",
  "asia",
  "latin_america",
  "africa",
  "middle_east",
  "oceania",
  "global",
  "international",
] as const;
export const ASSET_CLASSES = ["equity", "fixed_income", "real_estate", "commodities", "cash", "alternatives"] as const;
export const SECTORS = [
  "technology",
  "healthcare",
  "financials",
  "consumer_discretionary",
  "consumer_staples",
  "industrials",
  "energy",
  "materials",
  "utilities",
  "real_estate",
  "communication",
  "treasury",
  "corporate",
  "mortgage",
  "government_related",
  "commodities",
  "diversified",
  "other",
] as const;
export const INSTRUMENT_TYPES = ["etf", "mutual_fund", "stock", "bond", "bond_fund", "commodity", "reit"] as const;
export const ACCOUNT_TYPES = [
  "401k",
  "roth_ira",
  "traditional_ira",
  "taxable",
  "529",
  "hsa",
  "pension",
  "other",
] as const;
export const JOB_STATUSES = ["pending", "running", "completed", "failed", "needs_review"] as const;
/** Where a price comes from: the seed data, the market-data provider, or the user's own file. */
export const PRICE_SOURCES = ["seed", "market", "user"] as const;

export type Region = (typeof REGIONS)[number];
export type AssetClass = (typeof ASSET_CLASSES)[number];
export type Sector = (typeof SECTORS)[number];
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];
export type PriceSource = (typeof PRICE_SOURCES)[number];

const Num = z.number().finite();

/** `{key: percent}`; a complete allocation sums to 100. */
export const Allocation = z.partialRecord(z.string(), Num.min(0).max(100));
export type Allocation = z.infer<typeof Allocation>;

export const Instrument = z.object({
  symbol: z.string(),
  name: z.string(),
  instrument_type: z.enum(INSTRUMENT_TYPES).nullable(),
  current_price: Num.nullable(),
  allocation_asset_class: Allocation,
  allocation_regions: Allocation,
  allocation_sectors: Allocation,
  /** Yearly expense ratio as a fraction (0.0009 = 0.09%); null or absent when unknown. */
  expense_ratio: Num.min(0).max(0.1).nullish(),
  /** The date of `current_price` (YYYY-MM-DD), its source, and whether a newer market day lacks it. */
  price_as_of: z.string().nullish(),
  price_source: z.enum(PRICE_SOURCES).nullish(),
  price_stale: z.boolean().optional(),
});
export type Instrument = z.infer<typeof Instrument>;

export const User = z.object({
  clerk_user_id: z.string(),
  display_name: z.string().nullable(),
  current_age: Num.nullable(),
  years_until_retirement: Num.nullable(),
  target_retirement_income: Num.nullable(),
  annual_contribution: Num.nullable(),
  /** The portfolio file's `retirement` section (income, taxes, assumptions); validated where it is used. */
  retirement_plan: z.record(z.string(), z.unknown()).nullish(),
});
export type User = z.infer<typeof User>;

export const Position = z.object({ symbol: z.string(), quantity: Num, instrument: Instrument });
export type Position = z.infer<typeof Position>;

export const Account = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(ACCOUNT_TYPES),
  purpose: z.string().nullable(),
  cash_balance: Num,
  cash_interest: Num,
  positions: z.array(Position),
});
export type Account = z.infer<typeof Account>;

/** A user's whole portfolio at one moment: what every specialist of a job reads (validated before it is trusted). */
export const Portfolio = z.object({ user: User, accounts: z.array(Account) });
export type Portfolio = z.infer<typeof Portfolio>;
