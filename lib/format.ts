/** `$1,234.56` */
export const usd = (value: number) =>
  value.toLocaleString("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });

/** `$1,235` — for prose where cents are noise. */
export const usdRounded = (value: number) =>
  value.toLocaleString("en-US", {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 0,
    maximumFractionDigits: 0,
  });

/** `12.3%`: rounded once, half away from zero, from the exact value (23.954 → 24.0%, 0.05 → 0.1%). */
export const pct = (value: number, digits = 1) => {
  const scale = 10 ** digits;
  const rounded = (Math.sign(value) * Math.floor(Math.abs(value) * scale + 0.5 + 1e-9)) / scale;
  return `${rounded.toFixed(digits)}%`;
};

/** Keys whose words are all proper nouns or acronyms. */
const PROPER_LABELS: Record<string, string> = {
  north_america: "North America",
  latin_america: "Latin America",
  south_america: "South America",
  middle_east: "Middle East",
  us: "US",
  usa: "USA",
  uk: "UK",
  emea: "EMEA",
  apac: "APAC",
  reits: "REITs",
  reit: "REIT",
};

/** `fixed_income` → `Fixed income`, `north_america` → `North America` */
export const label = (key: string) => {
  const proper = PROPER_LABELS[key.toLowerCase()];
  if (proper) return proper;
  const words = key.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const ACCOUNT_TYPE_LABELS: Record<string, string> = {
  "401k": "401(k)",
  roth_ira: "Roth IRA",
  traditional_ira: "Traditional IRA",
  taxable: "Taxable",
  "529": "529 plan",
  hsa: "HSA",
  pension: "Pension",
  other: "Other",
};

/** Symbols named in a sentence: every one up to `max`, else the first `max` and how many more (a line, not a page). */
export const symbolList = (symbols: readonly string[], max = 10) =>
  symbols.length <= max
    ? symbols.join(", ")
    : `${symbols.slice(0, max).join(", ")} and ${(symbols.length - max).toLocaleString("en-US")} more`;

/** `roth_ira` → `Roth IRA` */
export const accountTypeLabel = (type: string) => ACCOUNT_TYPE_LABELS[type] ?? label(type);

/**
 * User text (a name, purpose or symbol) made inert in markdown: one line, and every character that could
 * start a link, image, heading, emphasis, code span, table cell or HTML tag backslash-escaped.
 */
export const markdownText = (text: string) =>
  text
    .replace(/\s*[\r\n]+\s*/g, " ")
    .replace(/[\\`*_[\]<>#|~]/g, "\\$&")
    .replace(/:\/\//g, ":\\/\\/")
    .replace(/\bwww\./gi, (match) => `${match.slice(0, 3)}\\.`);

/** Replaces every raw occurrence of the given user strings in `markdown` with its inert form (longest first). */
export function neutraliseUserText(markdown: string, userStrings: Iterable<string>): string {
  const risky = [...new Set(userStrings)]
    .filter((s) => /[\p{L}\p{N}]/u.test(s) && markdownText(s) !== s)
    .sort((a, b) => b.length - a.length);
  return risky.reduce((text, raw) => text.replaceAll(raw, markdownText(raw)), markdown);
}
