import { actionPlan } from "../../advice/actions.js";
import { CONCENTRATION_PERCENT, holdingKind } from "../../advice/facts.js";
import { accountTypeLabel, label, pct, symbolList, usd } from "../../format.js";
import { stalePricesNote } from "../../market/price-age.js";
import { pricesUsed } from "../../market/price-notes.js";
import type { OfflinePolicy } from "../../models/offline.js";
import { percentShares } from "../../portfolio/allocation.js";
import type { Portfolio } from "../../portfolio/types.js";
import type { Valuation } from "../../portfolio/valuation.js";
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

/** " (stale: prices as of …)" beside the value when its prices are over 5 trading days old today. */
function staleValue(v: Valuation, at = new Date()): string {
  const note = stalePricesNote(pricesUsed(v.positions).as_of, at);
  return note ? ` (stale: ${note})` : "";
}

function offlineReport(portfolio: Portfolio, v: Valuation, insights: string, outlook?: RetirementOutlook): string {
  const total = v.total_value;
  const top = v.positions.find((p) => p.value > 0);
  const regionShare = (key: string) => sharesOf(v.allocation.region)[key] ?? 0;
  const assetShares = sharesOf(v.allocation.asset_class);
  const classes = Object.entries(v.allocation.asset_class).filter(([, amount]) => amount > 0);
  const sections = [
    `# Portfolio Report for ${portfolio.user.display_name ?? "the investor"}`,
    "_Written by the offline analyst from the portfolio's data; figures are computed, not estimated._",
    "## Executive Summary",
    [
      `- Total value ${usd(total)} across ${v.accounts.length} account(s) and ${v.positions.length + (v.omitted_holdings?.count ?? 0)} holding(s)${staleValue(v)}.`,
      ...(classes.length ? [`- ${classes.map(([k]) => `${label(k)} ${pct(assetShares[k] ?? 0)}`).join(", ")}.`] : []),
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
          ...(v.omitted_holdings
            ? [
                `| ${v.omitted_holdings.count} other holdings | ${usd(v.omitted_holdings.value)} | ${pct(v.omitted_holdings.weight)} |`,
              ]
            : []),
        ].join("\n")
      : "No positions are held.",
    "## Diversification Analysis",
    breakdown("Asset classes", v.allocation.asset_class),
    breakdown("Regions (invested assets)", v.allocation.region),
    breakdown("Top sectors (invested assets)", v.allocation.sector, 5),
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

/** One breakdown's rows (the first `limit`), their percentages adding up to exactly 100.0 as shown over all rows. */
function breakdown(title: string, amounts: Record<string, number>, limit = Number.POSITIVE_INFINITY): string {
  const shares = sharesOf(amounts);
  const rows = Object.entries(amounts)
    .slice(0, limit)
    .map(([k, amount]) => `- ${label(k)}: ${usd(amount)} (${pct(shares[k] ?? 0)})`);
  return `**${title}**\n${rows.length ? rows.join("\n") : "- none"}`;
}

/** Percent of the breakdown's whole by key, one decimal, adding up to exactly 100.0 (largest remainder). */
function sharesOf(amounts: Record<string, number>): Record<string, number> {
  const keys = Object.keys(amounts);
  const shares = percentShares(keys.map((k) => amounts[k] ?? 0));
  return Object.fromEntries(keys.map((k, i) => [k, shares[i]]));
}

function riskLines(portfolio: Portfolio, v: Valuation): string[] {
  const equity = sharesOf(v.allocation.asset_class).equity ?? 0;
  const top = v.positions.find((p) => p.value > 0);
  const tech = sharesOf(v.allocation.sector).technology ?? 0;
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
      ? [`- Unpriced holdings (${symbolList(v.unpriced)}) are valued at $0 until a price is known.`]
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
