import { accountTypeLabel, label, usd } from "../lib/format.js";
import { pricesNotes, pricesUsed } from "../lib/market/price-notes.js";
import type { Valuation } from "../lib/portfolio/valuation.js";

/** A mistake in how the command was called (exit code 2). */
export class UsageError extends Error {
  override name = "UsageError";
}

export const progress = (line: string) => process.stderr.write(`${line}\n`);
export const printJson = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
export const print = (text: string) => process.stdout.write(`${text}\n`);

/** A person-readable valuation. */
export function formatValuation(v: Valuation): string {
  const lines = [
    `Total value ${usd(v.total_value)}  (invested ${usd(v.invested)}, cash ${usd(v.cash)})`,
    "",
    "Accounts",
    ...v.accounts.map(
      (a) => `  ${a.name.padEnd(24)} ${accountTypeLabel(a.type).padEnd(16)} ${usd(a.total_value).padStart(14)}`,
    ),
    "",
    "Holdings",
    ...v.positions.map(
      (p) =>
        `  ${p.symbol.padEnd(8)} ${p.name.slice(0, 38).padEnd(38)} ${usd(p.value).padStart(14)} ${p.weight.toFixed(2).padStart(6)}%`,
    ),
  ];
  for (const [title, amounts] of [
    ["Asset classes", v.allocation.asset_class],
    ["Regions", v.allocation.region],
    ["Sectors", v.allocation.sector],
  ] as const) {
    lines.push(
      "",
      title,
      ...Object.entries(amounts).map(([k, amount]) => `  ${label(k).padEnd(24)} ${usd(amount).padStart(14)}`),
    );
  }
  const notes = pricesNotes(pricesUsed(v.positions));
  if (notes.length > 0) lines.push("", ...notes);
  return lines.join("\n");
}
