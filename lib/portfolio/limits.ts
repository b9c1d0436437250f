import type { z } from "zod";

/**
 * The largest portfolio a job can carry, from the two hard limits it passes through:
 * - the RDS Data API returns at most 1 MiB per response, and a job row (its portfolio snapshot plus
 *   the report, charts, retirement numbers and summary) is read in one: at 1,000 positions a completed
 *   job's row measured 427 KB (offline model), leaving room for a model's longer prose;
 * - a Step Functions state carries at most 256 KB: the untagged symbols (≤ 22 B each) and the tagger's
 *   per-symbol results (≤ 200 B each) travel in it, so 500 distinct symbols stay under 110 KB.
 * `tests/faults/portfolios.test.ts` runs a job at these limits and measures both.
 */
export const PORTFOLIO_LIMITS = { accounts: 50, positions: 1000, distinctSymbols: 500 } as const;

/**
 * Text a user gives may not carry control characters (NUL, escapes) or bidirectional overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) that make a name read differently than it is stored.
 */
const FORBIDDEN_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/;

/** The first forbidden character in `text`, as `U+XXXX`, or undefined. */
export function forbiddenCharacter(text: string): string | undefined {
  const found = FORBIDDEN_CHARACTER.exec(text)?.[0];
  return found === undefined ? undefined : `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** Adds an issue, at the field's path, for every string anywhere in `value` that holds a forbidden character. */
export function refuseControlCharacters(value: unknown, ctx: z.RefinementCtx, path: (string | number)[] = []): void {
  if (typeof value === "string") {
    const character = forbiddenCharacter(value);
    if (character)
      ctx.addIssue({
        code: "custom",
        path,
        message: `must not contain control or bidirectional-override characters (found ${character})`,
      });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      refuseControlCharacters(item, ctx, [...path, i]);
    });
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) refuseControlCharacters(item, ctx, [...path, key]);
  }
}

/** Adds an issue when the file holds more positions or distinct symbols than {@link PORTFOLIO_LIMITS}. */
export function enforcePortfolioLimits(
  file: { accounts: { positions: { symbol: string }[] }[] },
  ctx: z.RefinementCtx,
): void {
  const positions = file.accounts.reduce((n, a) => n + a.positions.length, 0);
  const symbols = new Set(file.accounts.flatMap((a) => a.positions.map((p) => p.symbol))).size;
  if (positions > PORTFOLIO_LIMITS.positions) {
    ctx.addIssue({
      code: "custom",
      path: ["accounts"],
      message: `holds ${positions} positions; the limit is ${PORTFOLIO_LIMITS.positions} (a job row must stay under the Data API's 1 MiB)`,
    });
  }
  if (symbols > PORTFOLIO_LIMITS.distinctSymbols) {
    ctx.addIssue({
      code: "custom",
      path: ["accounts"],
      message: `holds ${symbols} distinct symbols; the limit is ${PORTFOLIO_LIMITS.distinctSymbols} (a Step Functions state must stay under 256 KB)`,
    });
  }
}
