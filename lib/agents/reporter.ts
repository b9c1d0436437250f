import { withPricesNote } from "../market/price-notes.js";
import { Agent, type RunContext, run, tool } from "@openai/agents";
import { z } from "zod";
import { savePayload } from "../db/repositories/jobs.js";
import { accountTypeLabel, label, pct, usd } from "../format.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { agentLogger } from "../logger.js";
import type { OfflinePolicy } from "../models/offline.js";
import type { Portfolio } from "../portfolio/types.js";
import { percentOf, type Valuation, valuePortfolio } from "../portfolio/valuation.js";
import { AgentInputError, type AgentDeps, agentModel, DATA_NOTICE, dataBlock, payloadMeta, requireSnapshot, type TokenUsage, usageOf } from "./common.js";
import { toolErrorMessage } from "./tools.js";
import { analysisBrief, hasRetirementGoals } from "./portfolio-brief.js";

export const REPORTER_INSTRUCTIONS = `You are a portfolio analyst writing for a retail investor.
First call get_market_insights with the portfolio's largest holdings. Then write a markdown report with these sections:
## Executive Summary (3–4 bullet points)
## Portfolio Composition (name every account with its type and value, then the holdings)
## Diversification Analysis (asset classes, regions, sectors, concentration)
## Risk Assessment
## Retirement Readiness
## Recommendations (5–7 actionable items, numbered, most impactful first)
## Market Context (from the insights; say when none were found)
Use concrete figures and percentages from the data. Be clear and concise. Answer with the report only.
${DATA_NOTICE}`;

export interface ReporterContext {
  jobId: string;
  knowledge: KnowledgeBase;
}

const SymbolList = z.object({
  symbols: z
    .array(z.string().regex(/^[A-Z0-9.^-]{1,20}$/, "an upper-case ticker symbol"))
    .min(1)
    .max(10)
    .describe("Ticker symbols to look up, largest holdings first"),
});

export const getMarketInsights = tool({
  name: "get_market_insights",
  description: "Look up dated market notes about the given ticker symbols in the knowledge base.",
  parameters: SymbolList,
  async execute({ symbols }, runContext?: RunContext<ReporterContext>) {
    return runContext!.context.knowledge.marketInsights(symbols);
  },
  errorFunction: toolErrorMessage("get_market_insights"),
});

export function reporterPrompt(portfolio: Portfolio, valuation: Valuation): string {
  return `Analyse this portfolio and write the report.\n\n${dataBlock("portfolio", analysisBrief(portfolio, valuation))}`;
}

/** The offline analyst: one insights lookup for the top holdings, then a report computed from the data. */
export function reporterPolicy(portfolio: Portfolio, valuation: Valuation): OfflinePolicy {
  const topSymbols = valuation.positions.slice(0, 3).map((p) => p.symbol);
  return ({ toolResults }) => {
    if (topSymbols.length > 0 && toolResults.length === 0) {
      return { toolCalls: [{ name: "get_market_insights", arguments: { symbols: topSymbols } }] };
    }
    return { final: offlineReport(portfolio, valuation, toolResults.map((r) => r.output).join("\n")) };
  };
}

/** Ensures the report names every account; appends a short table of any the model left out. */
export function ensureAccountsNamed(report: string, valuation: Valuation): string {
  const missing = valuation.accounts.filter((a) => !report.includes(a.name));
  if (missing.length === 0) return report;
  const rows = missing.map((a) => `| ${a.name} | ${accountTypeLabel(a.type)} | ${usd(a.total_value)} |`);
  return `${report.trimEnd()}\n\n## Accounts Not Covered Above\n\n| Account | Type | Value |\n|---|---|---|\n${rows.join("\n")}\n`;
}

export interface ReportResult {
  characters: number;
  usage: TokenUsage;
}

/** Writes the job's report from its snapshot and stores `report_payload`. */
export async function writeReport(deps: AgentDeps, jobId: string): Promise<ReportResult> {
  if (!deps.knowledge) throw new AgentInputError("The reporter needs a knowledge base");
  const { portfolio } = await requireSnapshot(deps.db, jobId);
  const valuation = valuePortfolio(portfolio);
  const agent = new Agent<ReporterContext>({
    name: "Reporter",
    instructions: REPORTER_INSTRUCTIONS,
    tools: [getMarketInsights],
    model: agentModel(deps, "reporter", jobId, reporterPolicy(portfolio, valuation)),
  });
  const result = await run(agent, reporterPrompt(portfolio, valuation), {
    context: { jobId, knowledge: deps.knowledge },
    maxTurns: 6,
  });
  const content = withPricesNote(ensureAccountsNamed(String(result.finalOutput ?? "").trim(), valuation), valuation.positions);
  if (content.length === 0) throw new Error("The reporter returned an empty report");
  await savePayload(deps.db, jobId, "report_payload", { content, ...payloadMeta("reporter", deps.config) });
  agentLogger("reporter", jobId).info("report stored", { characters: content.length });
  return { characters: content.length, usage: usageOf(result) };
}

function offlineReport(portfolio: Portfolio, v: Valuation, insights: string): string {
  const total = v.total_value;
  const assetShare = (key: string) => percentOf(v.allocation.asset_class[key] ?? 0, total);
  const top = v.positions[0];
  const regionShare = (key: string) => percentOf(v.allocation.region[key] ?? 0, v.invested);
  const sections = [
    `# Portfolio Report for ${portfolio.user.display_name ?? "the investor"}`,
    "_Written by the offline analyst from the portfolio's data; figures are computed, not estimated._",
    "## Executive Summary",
    [
      `- Total value ${usd(total)} across ${v.accounts.length} account(s) and ${v.positions.length} holding(s).`,
      `- Equity ${pct(assetShare("equity"))}, fixed income ${pct(assetShare("fixed_income"))}, cash ${pct(assetShare("cash"))}.`,
      top ? `- Largest holding: ${top.symbol} (${top.name}) at ${usd(top.value)}, ${pct(top.weight)} of the portfolio.` : "- No invested positions yet.",
      `- North American exposure is ${pct(regionShare("north_america"))} of invested assets.`,
    ].join("\n"),
    "## Portfolio Composition",
    v.accounts.map((a) => `- **${a.name}**${a.name === accountTypeLabel(a.type) ? "" : ` (${accountTypeLabel(a.type)})`}: ${usd(a.total_value)}, of which cash ${usd(a.cash)}, ${a.positions} position(s).`).join("\n"),
    v.positions.length
      ? ["| Holding | Value | Weight |", "|---|---|---|", ...v.positions.map((p) => `| ${p.symbol} — ${p.name} | ${usd(p.value)} | ${pct(p.weight)} |`)].join("\n")
      : "No positions are held.",
    "## Diversification Analysis",
    breakdown("Asset classes", v.allocation.asset_class, total),
    breakdown("Regions (invested assets)", v.allocation.region, v.invested),
    breakdown("Top sectors (invested assets)", Object.fromEntries(Object.entries(v.allocation.sector).slice(0, 5)), v.invested),
    "## Risk Assessment",
    riskLines(portfolio, v).join("\n"),
    "## Retirement Readiness",
    retirementLines(portfolio, v).join("\n"),
    "## Recommendations",
    recommendations(portfolio, v).map((r, i) => `${i + 1}. ${r}`).join("\n"),
    "## Market Context",
    insights.trim() || "No market insights were looked up for this portfolio.",
  ];
  return sections.join("\n\n");
}

function breakdown(title: string, amounts: Record<string, number>, whole: number): string {
  const rows = Object.entries(amounts).map(([k, amount]) => `- ${label(k)}: ${usd(amount)} (${pct(percentOf(amount, whole))})`);
  return `**${title}**\n${rows.length ? rows.join("\n") : "- none"}`;
}

function riskLines(portfolio: Portfolio, v: Valuation): string[] {
  const equity = percentOf(v.allocation.asset_class.equity ?? 0, v.total_value);
  const top = v.positions[0];
  const tech = percentOf(v.allocation.sector.technology ?? 0, v.invested);
  return [
    `- Equity share ${pct(equity)}: ${equity > 80 ? "high volatility expected in downturns" : equity > 50 ? "growth-oriented with moderate volatility" : "conservative, lower expected growth"}.`,
    top
      ? `- Concentration: the largest holding, ${top.symbol}, is ${pct(top.weight)} of the portfolio${top.weight > 25 ? (isConcentrated(portfolio, top.symbol) ? ", a single stock or sector bet worth watching" : "; it is a broad fund, so the weight spreads over many companies") : ""}.`
      : "- No concentration risk: nothing is invested.",
    `- Technology is ${pct(tech)} of invested assets${tech > 30 ? ", above a broad-market weight" : ""}.`,
    ...(v.unpriced.length ? [`- Unpriced holdings (${v.unpriced.join(", ")}) are valued at $0 until a price is known.`] : []),
  ];
}

function retirementLines(portfolio: Portfolio, v: Valuation): string[] {
  const { years_until_retirement: years, target_retirement_income: target } = portfolio.user;
  if (!hasRetirementGoals(portfolio)) return ["- No retirement goals are set, so readiness cannot be assessed."];
  const income = v.total_value * 0.04;
  return [
    years !== null ? `- Retirement is ${years} years away.` : "- The retirement date is not set.",
    target !== null
      ? `- At today's value, a 4% withdrawal gives ${usd(income)} a year against a ${usd(target)} target (${pct(percentOf(income, target))} covered today, before growth and contributions).`
      : "- No income target is set.",
  ];
}

/** A single stock, or a fund with half or more in one sector. */
function isConcentrated(portfolio: Portfolio, symbol: string): boolean {
  const instrument = portfolio.accounts.flatMap((a) => a.positions).find((p) => p.symbol === symbol)?.instrument;
  if (!instrument) return false;
  const largestSector = Math.max(0, ...Object.values(instrument.allocation_sectors).map((v) => v ?? 0));
  return instrument.instrument_type === "stock" || largestSector >= 50;
}

function recommendations(portfolio: Portfolio, v: Valuation): string[] {
  const total = v.total_value;
  const share = (key: string) => percentOf(v.allocation.asset_class[key] ?? 0, total);
  const international = 100 - percentOf(v.allocation.region.north_america ?? 0, v.invested);
  const top = v.positions[0];
  const ideas: string[] = [];
  if (share("cash") > 10) ideas.push(`Put idle cash to work: ${pct(share("cash"))} of the portfolio (${usd(v.cash)}) sits in cash.`);
  if (top && top.weight > 25 && isConcentrated(portfolio, top.symbol)) {
    ideas.push(`Reduce concentration in ${top.symbol} (${pct(top.weight)}): it is a single stock or sector bet; spread new money across broad funds.`);
  }
  if (v.invested > 0 && international < 20) ideas.push(`Add international exposure: only ${pct(international)} of invested assets are outside North America.`);
  if (share("fixed_income") < 20) ideas.push(`Consider more fixed income (now ${pct(share("fixed_income"))}) to soften drawdowns as retirement nears.`);
  if (percentOf(v.allocation.sector.technology ?? 0, v.invested) > 30) ideas.push("Balance the technology tilt with value or dividend funds.");
  if (v.unpriced.length) ideas.push(`Add prices for ${v.unpriced.join(", ")} so the analysis can value them.`);
  const taxableWithBonds = portfolio.accounts.filter(
    (a) => a.type === "taxable" && a.positions.some((p) => (p.instrument.allocation_asset_class.fixed_income ?? 0) > 0),
  );
  if (taxableWithBonds.length) {
    ideas.push(`Move bond funds from ${taxableWithBonds.map((a) => a.name).join(", ")} into tax-advantaged accounts, where their interest is not taxed yearly.`);
  }
  ideas.push("Rebalance once a year back to target weights.");
  ideas.push("Review contributions yearly and raise them with income.");
  ideas.push("Keep an emergency fund outside the investment accounts.");
  ideas.push("Compare the expense ratios of the funds held and prefer low-cost index funds.");
  ideas.push("Revisit this plan after large market moves or changes in income or goals.");
  return ideas.slice(0, 7);
}
