import { actionPlan } from "../../advice/actions.js";
import { CONCENTRATION_PERCENT, holdingKind } from "../../advice/facts.js";
import { accountTypeLabel, label, pct, usd } from "../../format.js";
import type { OfflinePolicy } from "../../models/offline.js";
import type { Portfolio } from "../../portfolio/types.js";
import { percentOf, type Valuation } from "../../portfolio/valuation.js";
import { retirementReadinessLines } from "../../retirement/narrative.js";
import type { RetirementOutlook } from "../../retirement/outlook.js";

/** The offline analyst: a report computed from the data, with the market insights looked up before the run. */
export function reporterPolicy(
  portfolio: Portfolio,
  valuation: Valuation,
  outlook?: RetirementOutlook,
  insights?: string,
): OfflinePolicy {
  return () => ({ final: offlineReport(portfolio, valuation, insights ?? "", outlook) });
}

function offlineReport(portfolio: Portfolio, v: Valuation, insights: string, outlook?: RetirementOutlook): string {
  const total = v.total_value;
  const top = v.positions.find((p) => p.value > 0);
  const regionShare = (key: string) => percentOf(v.allocation.region[key] ?? 0, v.invested);
  const classes = Object.entries(v.allocation.asset_class).filter(([, amount]) => amount > 0);
  const sections = [
    `# Portfolio Report for ${portfolio.user.display_name ?? "the investor"}`,
    "_Written by the offline analyst from the portfolio's data; figures are computed, not estimated._",
    "## Executive Summary",
    [
      `- Total value ${usd(total)} across ${v.accounts.length} account(s) and ${v.positions.length} holding(s).`,
      ...(classes.length
        ? [`- ${classes.map(([k, amount]) => `${label(k)} ${pct(percentOf(amount, total))}`).join(", ")}.`]
        : []),
      top
        ? `- Largest holding: ${top.symbol} (${top.name}) at ${usd(top.value)}, ${pct(top.weight)} of the portfolio.`
        : "- No priced positions yet.",
      ...(v.invested > 0
        ? [`- North American exposure is ${pct(regionShare("north_america"))} of invested assets.`]
        : []),
    ].join("\n"),
    "## Portfolio Composition",
    v.accounts
      .map(
        (a) =>
          `- **${a.name}**${a.name === accountTypeLabel(a.type) ? "" : ` (${accountTypeLabel(a.type)})`}: ${usd(a.total_value)}, of which cash ${usd(a.cash)}, ${a.positions} position(s).`,
      )
      .join("\n"),
    v.positions.length
      ? [
          "| Holding | Value | Weight |",
          "|---|---|---|",
          ...v.positions.map((p) => `| ${p.symbol} — ${p.name} | ${usd(p.value)} | ${pct(p.weight)} |`),
        ].join("\n")
      : "No positions are held.",
    "## Diversification Analysis",
    breakdown("Asset classes", v.allocation.asset_class, total),
    breakdown("Regions (invested assets)", v.allocation.region, v.invested),
    breakdown(
      "Top sectors (invested assets)",
      Object.fromEntries(Object.entries(v.allocation.sector).slice(0, 5)),
      v.invested,
    ),
    "## Risk Assessment",
    riskLines(portfolio, v).join("\n"),
    "## Retirement Readiness",
    (outlook ? retirementReadinessLines(outlook) : ["- The retirement outlook was not computed for this report."]).join(
      "\n",
    ),
    "## Recommendations",
    recommendations(portfolio, v, outlook)
      .map((r, i) => `${i + 1}. ${r}`)
      .join("\n"),
    "## Market Context",
    insights.trim() || "No market insights were looked up for this portfolio.",
  ];
  return sections.join("\n\n");
}

function breakdown(title: string, amounts: Record<string, number>, whole: number): string {
  const rows = Object.entries(amounts).map(
    ([k, amount]) => `- ${label(k)}: ${usd(amount)} (${pct(percentOf(amount, whole))})`,
  );
  return `**${title}**\n${rows.length ? rows.join("\n") : "- none"}`;
}

function riskLines(portfolio: Portfolio, v: Valuation): string[] {
  const equity = percentOf(v.allocation.asset_class.equity ?? 0, v.total_value);
  const top = v.positions.find((p) => p.value > 0);
  const tech = percentOf(v.allocation.sector.technology ?? 0, v.invested);
  return [
    ...(v.total_value > 0
      ? [
          `- Equity share ${pct(equity)}: ${equity > 80 ? "high volatility expected in downturns" : equity > 50 ? "growth-oriented with moderate volatility" : "conservative, lower expected growth"}.`,
        ]
      : []),
    top
      ? `- Concentration: the largest holding, ${top.symbol}, is ${pct(top.weight)} of the portfolio${top.weight > CONCENTRATION_PERCENT ? concentrationNote(portfolio, top.symbol) : ""}.`
      : "- No concentration risk: nothing priced is invested.",
    ...(tech > 0
      ? [`- Technology is ${pct(tech)} of invested assets${tech > 30 ? ", above a broad-market weight" : ""}.`]
      : []),
    ...(v.unpriced.length
      ? [`- Unpriced holdings (${v.unpriced.join(", ")}) are valued at $0 until a price is known.`]
      : []),
  ];
}

/** The ranked action plan (lib/advice): the same list the page and the retirement outlook show. */
function recommendations(portfolio: Portfolio, v: Valuation, outlook?: RetirementOutlook): string[] {
  return actionPlan(portfolio, v, outlook).map((a) => a.text);
}

/** What a large holding's weight means: a bet (single stock, sector fund), a broad or multi-asset fund, or unknown. */
function concentrationNote(portfolio: Portfolio, symbol: string): string {
  const instrument = portfolio.accounts.flatMap((a) => a.positions).find((p) => p.symbol === symbol)?.instrument;
  const kind = holdingKind(instrument);
  if (kind === "single_stock") return ", a single stock worth watching";
  if (kind === "sector_fund") return ", a sector bet worth watching";
  if (kind === "multi_asset_fund") return "; it is a multi-asset fund, so the weight spreads over stocks and bonds";
  if (kind === "broad_fund") return "; it is a broad fund, so the weight spreads over many companies";
  return "; what it holds is not known";
}
