import { accountTypeLabel, label } from "../format.js";
import type { ACCOUNT_TYPES, ASSET_CLASSES, REGIONS, SECTORS } from "../portfolio/types.js";

/**
 * One colour per category, the same in every chart of every job: Cash is always green, a sector always its
 * own hue. Within each group (asset classes, regions, sectors, account types) the hues are distinct; a name
 * shared by two groups (Real estate, Commodities, Other) has one colour in both.
 */
const GROUPS: Record<string, Record<string, string>> = {
  asset_class: {
    equity: "#2563EB",
    fixed_income: "#7C3AED",
    real_estate: "#B45309",
    commodities: "#CA8A04",
    cash: "#059669",
    alternatives: "#DB2777",
  } satisfies Record<(typeof ASSET_CLASSES)[number], string>,
  region: {
    north_america: "#2563EB",
    europe: "#7C3AED",
    asia: "#DC2626",
    latin_america: "#EA580C",
    africa: "#A16207",
    middle_east: "#0D9488",
    oceania: "#0891B2",
    global: "#DB2777",
    international: "#DB2777",
  } satisfies Record<(typeof REGIONS)[number], string>,
  sector: {
    technology: "#2563EB",
    healthcare: "#DC2626",
    financials: "#16A34A",
    consumer_discretionary: "#EA580C",
    consumer_staples: "#EAB308",
    industrials: "#78716C",
    energy: "#9333EA",
    materials: "#0D9488",
    utilities: "#0891B2",
    real_estate: "#B45309",
    communication: "#DB2777",
    treasury: "#1E3A8A",
    corporate: "#6D28D9",
    mortgage: "#BE185D",
    government_related: "#0369A1",
    commodities: "#CA8A04",
    diversified: "#65A30D",
    other: "#9CA3AF",
  } satisfies Record<(typeof SECTORS)[number], string>,
  account_type: {
    "401k": "#2563EB",
    roth_ira: "#7C3AED",
    traditional_ira: "#0D9488",
    taxable: "#EA580C",
    "529": "#CA8A04",
    hsa: "#DC2626",
    pension: "#16A34A",
    other: "#9CA3AF",
  } satisfies Record<(typeof ACCOUNT_TYPES)[number], string>,
};

/** The one region "global" and "international" are drawn as (both mean: not one place). */
export const GLOBAL_REGION_LABEL = "International";

/** Colours for names with no category (ticker symbols): picked by a hash of the name, so stable across jobs. */
export const NAME_HUES = [
  "#2563EB",
  "#DC2626",
  "#16A34A",
  "#EA580C",
  "#9333EA",
  "#0D9488",
  "#CA8A04",
  "#DB2777",
  "#0891B2",
  "#65A30D",
  "#B45309",
  "#4F46E5",
] as const;

const BY_NAME = new Map<string, string>();
for (const [group, colours] of Object.entries(GROUPS)) {
  for (const [key, colour] of Object.entries(colours)) {
    const names = [key, label(key), group === "account_type" ? accountTypeLabel(key) : key];
    for (const name of names) if (!BY_NAME.has(name.toLowerCase())) BY_NAME.set(name.toLowerCase(), colour);
  }
}

/** The fixed colour of a category (by key or label, any case), or undefined for a name that is no category. */
export function categoryColor(name: string): string | undefined {
  return BY_NAME.get(name.trim().toLowerCase());
}

/** A stable colour for any name: its category's, or one picked by a hash of the name. */
export function colorFor(name: string): string {
  return categoryColor(name) ?? NAME_HUES[hash(name) % NAME_HUES.length]!;
}

/** Colours for one chart's names: each category its fixed colour, any other name the hue of its hash. */
export function chartColors(names: string[]): string[] {
  return names.map(colorFor);
}

function hash(text: string): number {
  let h = 2166136261;
  for (const char of text) h = Math.imul(h ^ char.codePointAt(0)!, 16777619);
  return h >>> 0;
}
