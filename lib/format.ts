/** `$1,234.56` */
export const usd = (value: number) =>
  value.toLocaleString("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `$1,235` — for prose where cents are noise. */
export const usdRounded = (value: number) =>
  value.toLocaleString("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 0, maximumFractionDigits: 0 });

/** `12.3%` */
export const pct = (value: number, digits = 1) => `${value.toFixed(digits)}%`;

/** `fixed_income` → `Fixed income` */
export const label = (key: string) => {
  const words = key.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const ACCOUNT_TYPE_LABELS: Record<string, string> = {
  "401k": "401(k)", roth_ira: "Roth IRA", traditional_ira: "Traditional IRA", taxable: "Taxable",
  "529": "529 plan", hsa: "HSA", pension: "Pension", other: "Other",
};

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
