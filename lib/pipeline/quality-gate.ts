import { factCheck } from "../agents/fact-check.js";
import { KNOWN_INSTRUMENTS } from "../agents/offline/tagger-reference.js";
import { userStrings } from "../agents/portfolio-brief.js";
import { StoredChart } from "../charts/chart.js";
import { markdownText } from "../format.js";
import { disallowedLinks } from "../output/links.js";
import type { PortfolioAggregate } from "../portfolio/aggregate.js";
import type { RetirementOutlook } from "../retirement/outlook.js";

/** The report's sections the gate requires (the reporter's instructions ask for them; a test keeps both in step). */
export const REQUIRED_REPORT_SECTIONS = [
  "Executive Summary",
  "Portfolio Composition",
  "Diversification Analysis",
  "Risk Assessment",
  "Retirement Readiness",
  "Recommendations",
];

/** A job with fewer valid charts than this has not shown its portfolio. */
export const MIN_CHARTS = 4;

/** What the gate reads: the job's stored outputs and what Finalize knows of the run. */
export interface GateInput {
  chosen: string[];
  /** The specialists' aggregate of the snapshot (what the reporter wrote from), with its stored valuation. */
  portfolio: PortfolioAggregate | null;
  report: unknown;
  charts: unknown;
  retirement: unknown;
  /** The tagger's failures: the first of them, and how many in all (default: those listed). */
  tagging: { failed: { symbol: string; error?: string }[]; failed_count?: number } | null;
  reviewThreshold: number;
}

/** The gate's verdict, stored as `summary_payload.quality_gate`. */
export interface GateResult {
  passed: boolean;
  reasons: string[];
}

/**
 * Decides whether a finished job's outputs can be called `completed`: each chosen specialist's output is
 * there and sound (report: sections, figures the fact-check accepts, review ok and at or above the
 * threshold; at least {@link MIN_CHARTS} valid charts; an outlook with its numbers), tagging is complete or
 * each failure is explained in the report, and no model text carries a live link to a source not allowed.
 */
export function qualityGate(input: GateInput): GateResult {
  const reasons = [
    ...(input.chosen.includes("reporter") ? reportReasons(input) : []),
    ...(input.chosen.includes("charter") ? chartReasons(input.charts) : []),
    ...(input.chosen.includes("retirement") ? outlookReasons(input.retirement) : []),
    ...taggingReasons(input),
    ...linkReasons(input),
  ];
  return { passed: reasons.length === 0, reasons };
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

const text = (value: unknown): string => (typeof value === "string" ? value : "");

function reportReasons(input: GateInput): string[] {
  const report = record(input.report);
  const content = text(report?.content);
  if (!content) return ["report: missing"];
  const reasons: string[] = [];
  const headings = new Set([...content.matchAll(/^ {0,3}#{1,6}\s+(.+?)\s*$/gm)].map((m) => headingText(m[1])));
  const missing = REQUIRED_REPORT_SECTIONS.filter((s) => ![...headings].some((h) => h.startsWith(s.toLowerCase())));
  if (missing.length > 0) reasons.push(`report: missing section(s) ${missing.join(", ")}`);
  if (!/\$\s?\d/.test(content) || !/\d\s?%/.test(content))
    reasons.push("report: quotes no dollar amounts or percentages");
  if (input.portfolio) {
    const findings = reportFactFindings(content, input.portfolio, input.retirement);
    if (findings.length > 0)
      reasons.push(`report: the fact-check rejects ${findings.length} figure(s), e.g. ${findings[0].problem}`);
  }
  const review = record(report?.review);
  if (review?.status !== "reviewed") reasons.push(`report: not reviewed (${text(review?.error) || "no review"})`);
  else if (typeof review.score !== "number" || review.score < input.reviewThreshold)
    reasons.push(
      `report: review score ${String(review.score)} is below ${input.reviewThreshold}${review.revised === true ? " (of the first draft; the revision was fact-checked, not scored again)" : ""}`,
    );
  return reasons;
}

/** A heading as the section it names: `**1. Executive Summary**` and `Executive Summary ##` are both `executive summary`. */
const headingText = (heading: string) =>
  heading
    .replace(/\s#+$/, "")
    .replace(/[*_`]/g, "")
    .replace(/^\s*(?:\d+|[ivx]+|[a-f])[.)]\s+/i, "")
    .trim()
    .toLowerCase();

/**
 * The fact-check's findings on a stored report, against the job's snapshot and stored outlook. The user's
 * own strings with digits in them (names of the person, accounts and holdings, as given or as the report
 * escapes them) are not claims: a name like "Fund $1B" is left out.
 */
export function reportFactFindings(content: string, { portfolio, valuation }: PortfolioAggregate, retirement: unknown) {
  // An outlook without its success rate is its own reason (outlookReasons); its figures are not checked against.
  const stored = record(record(retirement)?.outlook);
  const outlook = typeof stored?.success_rate === "number" ? (stored as unknown as RetirementOutlook) : undefined;
  const claims = userStrings(portfolio)
    .filter((s) => /\d/.test(s))
    .flatMap((s) => [s, markdownText(s)])
    .sort((a, b) => b.length - a.length)
    .reduce((text, s) => text.replaceAll(s, ""), content);
  return factCheck(claims, portfolio, valuation, KNOWN_INSTRUMENTS.keys(), outlook);
}

function chartReasons(charts: unknown): string[] {
  const valid = Object.values(record(charts) ?? {}).filter((chart) => StoredChart.safeParse(chart).success).length;
  return valid >= MIN_CHARTS ? [] : [`charts: ${valid} valid chart(s), at least ${MIN_CHARTS} needed`];
}

/** True when the text shows `rate` as a percentage, as given or rounded to a whole percent. */
function quotesPercent(text: string, rate: number): boolean {
  const shown = new Set([String(rate), rate.toFixed(1), String(Math.round(rate))]);
  return [...text.matchAll(/(\d+(?:\.\d+)?)\s?%/g)].some((m) => shown.has(m[1]));
}

function outlookReasons(retirement: unknown): string[] {
  const payload = record(retirement);
  const outlook = record(payload?.outlook);
  const analysis = text(payload?.analysis);
  if (!payload || !outlook) return ["retirement outlook: missing"];
  if (outlook.empty === true) return analysis ? [] : ["retirement outlook: no text"];
  const reasons: string[] = [];
  if (typeof outlook.success_rate !== "number") reasons.push("retirement outlook: no success rate");
  if (!/\$\s?\d/.test(analysis) || !/\d\s?%/.test(analysis))
    reasons.push("retirement outlook: the text quotes none of its numbers");
  else if (typeof outlook.success_rate === "number" && !quotesPercent(analysis, outlook.success_rate))
    reasons.push(`retirement outlook: the text does not quote its success rate (${outlook.success_rate}%)`);
  return reasons;
}

/** Words that explain a tagging failure; a line that only lists the symbol (a holdings table) does not. */
const SAYS_UNCLASSIFIED = /classif|tagg/i;

/** The most unexplained symbols a reason names (it is stored with the job and shown on its page). */
const NAMED_SYMBOLS = 10;

/** A line saying how many holdings could not be classified ("1,250 holdings could not be classified"). */
const statesCount = (line: string, count: number) =>
  SAYS_UNCLASSIFIED.test(line) &&
  new RegExp(`(?<![\\d,.])(?:${count}|${count.toLocaleString("en-US")}) holdings\\b`).test(line);

function taggingReasons({ tagging, report }: GateInput): string[] {
  const lines = text(record(report)?.content).split("\n");
  const count = tagging?.failed_count ?? tagging?.failed.length ?? 0;
  if (count > 1 && lines.some((line) => statesCount(line, count))) return [];
  const unexplained = (tagging?.failed ?? []).filter((f) => {
    const symbol = new RegExp(`\\b${escapeRegExp(f.symbol)}\\b`);
    return !lines.some((line) => symbol.test(line) && SAYS_UNCLASSIFIED.test(line));
  });
  // Failures past the listed ones were not read, so they count as unexplained.
  const total = unexplained.length + Math.max(0, (tagging?.failed_count ?? 0) - (tagging?.failed.length ?? 0));
  if (total === 0) return [];
  const symbols = unexplained.slice(0, NAMED_SYMBOLS).map((f) => f.symbol);
  const named =
    total === symbols.length
      ? symbols.join(", ")
      : symbols.length === 0
        ? `${total} symbols`
        : `${total} symbols (${symbols.join(", ")} and ${total - symbols.length} more)`;
  return [`tagging: ${named} could not be classified and the report does not say so`];
}

function linkReasons(input: GateInput): string[] {
  const texts = [
    text(record(input.report)?.content),
    text(record(input.retirement)?.analysis),
    ...Object.values(record(input.charts) ?? {}).flatMap((c) => [text(record(c)?.title), text(record(c)?.description)]),
  ];
  const links = [...new Set(texts.flatMap((t) => disallowedLinks(t)))];
  return links.length === 0
    ? []
    : [`links: model text links to ${links.slice(0, 3).join(", ")} (not allow-listed; shown as text)`];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
