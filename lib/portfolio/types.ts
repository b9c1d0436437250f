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
/** The statuses a job never leaves (the database's jobs_stay_ended trigger enforces it). */
export const ENDED_JOB_STATUSES = ["completed", "failed", "needs_review"] as const;
/** Where a price comes from: the seed data, the market-data provider, or the user's own file. */
export const PRICE_SOURCES = ["seed", "market", "user"] as const;

export type Region = (typeof REGIONS)[number];
export type AssetClass = (typeof ASSET_CLASSES)[number];
export type Sector = (typeof SECTORS)[number];
export type InstrumentType = (typeof INSTRUMENT_TYPES)[number];
export type AccountType = (typeof ACCOUNT_TYPES)[number];
export type JobStatus = (typeof JOB_STATUSES)[number];
export type PriceSource = (typeof PRICE_SOURCES)[number];

/** `{key: percent}`; a complete allocation sums to 100. */
export type Allocation = Partial<Record<string, number>>;

export interface Instrument {
  symbol: string;
  name: string;
  instrument_type: InstrumentType | null;
  current_price: number | null;
  allocation_asset_class: Allocation;
  allocation_regions: Allocation;
  allocation_sectors: Allocation;
  /** Yearly expense ratio as a fraction (0.0009 = 0.09%); null or absent when unknown. */
  expense_ratio?: number | null;
  /** The date of `current_price` (YYYY-MM-DD), its source, and whether a newer market day lacks it. */
  price_as_of?: string | null;
  price_source?: PriceSource | null;
  price_stale?: boolean;
}

export interface User {
  clerk_user_id: string;
  display_name: string | null;
  current_age: number | null;
  years_until_retirement: number | null;
  target_retirement_income: number | null;
  annual_contribution: number | null;
  /** The portfolio file's `retirement` section (income, taxes, assumptions); validated where it is used. */
  retirement_plan?: Record<string, unknown> | null;
}

export interface Position {
  symbol: string;
  quantity: number;
  instrument: Instrument;
}

export interface Account {
  id: string;
  name: string;
  type: AccountType;
  purpose: string | null;
  cash_balance: number;
  cash_interest: number;
  positions: Position[];
}

/** A user's whole portfolio at one moment: what every specialist of a job reads. */
export interface Portfolio {
  user: User;
  accounts: Account[];
}

const Num = z.number().finite();
export const AllocationSchema = z.record(z.string(), Num.min(0).max(100));

export const InstrumentSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  instrument_type: z.enum(INSTRUMENT_TYPES).nullable(),
  current_price: Num.nullable(),
  allocation_asset_class: AllocationSchema,
  allocation_regions: AllocationSchema,
  allocation_sectors: AllocationSchema,
  expense_ratio: Num.min(0).max(0.1).nullish(),
  price_as_of: z.string().nullable().optional(),
  price_source: z.enum(PRICE_SOURCES).nullable().optional(),
  price_stale: z.boolean().optional(),
});

/** Validates a stored snapshot before a specialist trusts it. */
export const PortfolioSchema = z.object({
  user: z.object({
    clerk_user_id: z.string(),
    display_name: z.string().nullable(),
    current_age: Num.nullable(),
    years_until_retirement: Num.nullable(),
    target_retirement_income: Num.nullable(),
    annual_contribution: Num.nullable(),
    retirement_plan: z.record(z.string(), z.unknown()).nullish(),
  }),
  accounts: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      type: z.enum(ACCOUNT_TYPES),
      purpose: z.string().nullable(),
      cash_balance: Num,
      cash_interest: Num,
      positions: z.array(z.object({ symbol: z.string(), quantity: Num, instrument: InstrumentSchema })),
    }),
  ),
});

/** True when an instrument lacks any of its three allocations (the tagger's work list). */
export function lacksAllocations(instrument: Instrument): boolean {
  return [instrument.allocation_asset_class, instrument.allocation_regions, instrument.allocation_sectors].some(
    (allocation) => Object.keys(allocation ?? {}).length === 0,
  );
}
