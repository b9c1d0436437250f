import { actionPlan } from "../advice/actions.js";
import { percentShares } from "../portfolio/allocation.js";
import type { Portfolio } from "../portfolio/types.js";
import { percentOf, type Valuation } from "../portfolio/valuation.js";
import { outlookExtraFigures, type RetirementOutlook } from "../retirement/outlook.js";

// The deterministic fact-checker: the offline reviewer, and the first check a real model's report gets.

/** One problem found in a report: the sentence concerned and what is wrong with it. */
export interface ReviewIssue {
  sentence: string;
  problem: string;
}

/** Sections whose figures come from dated market notes, not from the portfolio: not checked here. */
const UNCHECKED_SECTIONS = /^## Market Context\b/;
const DOLLARS = /\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s?(k|K|M|B)\b)?/g;
const PERCENT = /(\d+(?:\.(\d+))?)\s?%/g;
const TICKER = /\b[A-Z][A-Z0-9.]{0,5}\b/g;
const SCALE: Record<string, number> = { k: 1e3, K: 1e3, M: 1e6, B: 1e9 };
/** Rule constants a report may quote as percentages (the 4% withdrawal rule). */
const RULE_PERCENTAGES = [4];

/** Every USD amount and percentage the analysis computes, which a report may quote (rounded). */
export function computedFigures(portfolio: Portfolio, v: Valuation, outlook?: RetirementOutlook) {
  const allocations = [v.allocation.asset_class, v.allocation.region, v.allocation.sector].flatMap((a) =>
    Object.values(a),
  );
  const target = portfolio.user.target_retirement_income;
  const income = v.total_value * 0.04;
  const byType = new Map<string, number>();
  for (const a of v.accounts) byType.set(a.type, (byType.get(a.type) ?? 0) + a.total_value);
  const amounts = [
    v.total_value,
    v.cash,
    v.invested,
    income,
    ...(target !== null ? [target] : []),
    ...v.accounts.flatMap((a) => [a.total_value, a.cash, a.invested]),
    ...v.positions.flatMap((p) => [p.value, ...(p.price !== null ? [p.price] : [])]),
    // The holdings a large portfolio's aggregate folds into one line (lib/portfolio/aggregate.ts).
    ...(v.omitted_holdings ? [v.omitted_holdings.value] : []),
    ...allocations,
    ...byType.values(),
  ];
  const northAmerica = percentOf(v.allocation.region.north_america ?? 0, v.invested);
  const percentages = [
    ...RULE_PERCENTAGES,
    100 - northAmerica,
    ...v.positions.map((p) => p.weight),
    ...(v.omitted_holdings ? [v.omitted_holdings.weight] : []),
    ...[...allocations, ...v.accounts.map((a) => a.total_value), v.cash, v.invested].flatMap((x) => [
      percentOf(x, v.total_value),
      percentOf(x, v.invested),
    ]),
    ...(target ? [percentOf(income, target)] : []),
  ];
  // Each breakdown's percentages as shown, adding up to 100.0 (largest remainder), beside the exact ones.
  const shown = [v.allocation.asset_class, v.allocation.region, v.allocation.sector].flatMap((a) =>
    percentShares(Object.values(a)),
  );
  percentages.push(...shown);
  const retirement = outlook ? outlookFigures(outlook) : { amounts: [], percentages: [] };
  // The action plan's own figures (a retiree's cash reserve, the cash above it), computed from the same data.
  const planned = actionPlan(portfolio, v, outlook).flatMap((a) =>
    Object.values(a.facts).filter((x): x is number => typeof x === "number"),
  );
  return {
    amounts: [0, ...amounts, ...retirement.amounts, ...planned],
    percentages: [0, 100, ...percentages, ...retirement.percentages],
  };
}

/** The retirement outlook's dollar amounts (all of `money`) and percentages, which the report quotes. */
function outlookFigures(outlook: RetirementOutlook): { amounts: number[]; percentages: number[] } {
  const amounts: number[] = Object.values(outlook.money).flatMap((m) =>
    typeof m === "number" ? [m] : m === null ? [] : Object.values(m),
  );
  const percentages = [
    outlook.success_rate,
    ...(outlook.withdrawal_rate === null ? [] : [outlook.withdrawal_rate]),
    ...Object.values(outlook.rates),
  ];
  const levers = outlookExtraFigures(outlook);
  return { amounts: [...amounts, ...levers.amounts], percentages: [...percentages, ...levers.percentages] };
}

/**
 * Checks a report against the portfolio: every dollar figure and percentage must match a computed value
 * (within the rounding shown) and every ticker it names among `knownSymbols` must be held.
 */
export function factCheck(
  report: string,
  portfolio: Portfolio,
  valuation: Valuation,
  knownSymbols: Iterable<string>,
  outlook?: RetirementOutlook,
): ReviewIssue[] {
  const { amounts, percentages } = computedFigures(portfolio, valuation, outlook);
  const held = new Set(valuation.positions.map((p) => p.symbol));
  const known = new Set(knownSymbols);
  const issues: ReviewIssue[] = [];
  for (const sentence of checkedSentences(report)) {
    for (const m of sentence.matchAll(DOLLARS)) {
      const value = Number(`${m[1].replaceAll(",", "")}.${m[2] ?? "0"}`) * (SCALE[m[3] ?? ""] ?? 1);
      const tolerance = (m[2] ? 10 ** -m[2].length : 1) * (SCALE[m[3] ?? ""] ?? 1) * 0.51;
      if (!amounts.some((a) => Math.abs(a - value) <= tolerance))
        issues.push({ sentence, problem: `${m[0].trim()} matches no computed amount` });
    }
    for (const m of sentence.matchAll(PERCENT)) {
      const tolerance = 10 ** -(m[2]?.length ?? 0) * 0.51 + 0.01;
      if (!percentages.some((p) => Math.abs(p - Number(m[1])) <= tolerance))
        issues.push({ sentence, problem: `${m[0]} matches no computed percentage` });
    }
    for (const [symbol] of sentence.matchAll(TICKER)) {
      if (known.has(symbol) && !held.has(symbol))
        issues.push({ sentence, problem: `${symbol} is not held in this portfolio` });
    }
  }
  return issues;
}

/** The report's lines, outside sections whose figures are not the portfolio's. */
function checkedSentences(report: string): string[] {
  const sentences: string[] = [];
  let skipping = false;
  for (const line of report.split("\n")) {
    if (line.startsWith("## ")) skipping = UNCHECKED_SECTIONS.test(line);
    if (!skipping && line.trim() !== "") sentences.push(line.trim());
  }
  return sentences;
}
