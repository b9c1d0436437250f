import type { z } from "zod";

/**
 * The largest portfolio a job takes. Nothing that grows with it travels in a Step Functions state (symbols and
 * positions stay in the database; the state carries the job id and counts), and every read stays within the RDS
 * Data API's 64 KB per row and 1 MiB per response (large documents come back in parts, the planner reads the
 * holdings in pages, the specialists read a compact aggregate). What bounds it is the one request that stores
 * the job's snapshot and summary: the Data API takes at most 4 MiB per request, and at 5,000 holdings that
 * request measured ~3.2 MB (`tests/db/any-size.test.ts`). The tagger classifies up to 5,000 new symbols in its
 * resumed attempts (`TAGGER_RESUME_RETRY`).
 */
export const PORTFOLIO_LIMITS = { accounts: 50, positions: 5000, distinctSymbols: 5000 } as const;

/**
 * Text a user gives may not carry control characters (NUL, escapes) or bidirectional overrides and
 * isolates (U+202A–U+202E, U+2066–U+2069) that make a name read differently than it is stored.
 */
const FORBIDDEN_CHARACTER =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this pattern's purpose.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/;

/** The first forbidden character in `text`, as `U+XXXX`, or undefined. */
function forbiddenCharacter(text: string): string | undefined {
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
      message: `holds ${positions} positions; the limit is ${PORTFOLIO_LIMITS.positions} (a job's snapshot is stored in one Data API request of at most 4 MiB)`,
    });
  }
  if (symbols > PORTFOLIO_LIMITS.distinctSymbols) {
    ctx.addIssue({
      code: "custom",
      path: ["accounts"],
      message: `holds ${symbols} distinct symbols; the limit is ${PORTFOLIO_LIMITS.distinctSymbols} (what the tagger classifies within a job's time budget)`,
    });
  }
}
