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
  const assetShare = (key: string) => percentOf(v.allocation.asset_class[key] ?? 0, total);
  const top = v.positions[0];
  const regionShare = (key: string) => percentOf(v.allocation.region[key] ?? 0, v.invested);
  const sections = [
    `# Portfolio Report for ${portfolio.user.display_name ?? "the investor"}`,
    "_Written by the offline analyst from the portfolio's data; figures are computed, not estimated._",
    "## Executive Summary",
    [
      `- Total value ${usd(total)} across ${v.accounts.length} account(s) and ${v.positions.length + (v.omitted_holdings?.count ?? 0)} holding(s).`,
      `- Equity ${pct(assetShare("equity"))}, fixed income ${pct(assetShare("fixed_income"))}, cash ${pct(assetShare("cash"))}.`,
      top
        ? `- Largest holding: ${top.symbol} (${top.name}) at ${usd(top.value)}, ${pct(top.weight)} of the portfolio.`
        : "- No invested positions yet.",
      `- North American exposure is ${pct(regionShare("north_america"))} of invested assets.`,
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
    recommendations(portfolio, v)
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
  const top = v.positions[0];
  const tech = percentOf(v.allocation.sector.technology ?? 0, v.invested);
  return [
    `- Equity share ${pct(equity)}: ${equity > 80 ? "high volatility expected in downturns" : equity > 50 ? "growth-oriented with moderate volatility" : "conservative, lower expected growth"}.`,
    top
      ? `- Concentration: the largest holding, ${top.symbol}, is ${pct(top.weight)} of the portfolio${top.weight > 25 ? (isConcentrated(portfolio, top.symbol) ? ", a single stock or sector bet worth watching" : "; it is a broad fund, so the weight spreads over many companies") : ""}.`
      : "- No concentration risk: nothing is invested.",
    `- Technology is ${pct(tech)} of invested assets${tech > 30 ? ", above a broad-market weight" : ""}.`,
    ...(v.unpriced.length
      ? [`- Unpriced holdings (${v.unpriced.join(", ")}) are valued at $0 until a price is known.`]
      : []),
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
  if (share("cash") > 10)
    ideas.push(`Put idle cash to work: ${pct(share("cash"))} of the portfolio (${usd(v.cash)}) sits in cash.`);
  if (top && top.weight > 25 && isConcentrated(portfolio, top.symbol)) {
    ideas.push(
      `Reduce concentration in ${top.symbol} (${pct(top.weight)}): it is a single stock or sector bet; spread new money across broad funds.`,
    );
  }
  if (v.invested > 0 && international < 20)
    ideas.push(`Add international exposure: only ${pct(international)} of invested assets are outside North America.`);
  if (share("fixed_income") < 20)
    ideas.push(
      `Consider more fixed income (now ${pct(share("fixed_income"))}) to soften drawdowns as retirement nears.`,
    );
  if (percentOf(v.allocation.sector.technology ?? 0, v.invested) > 30)
    ideas.push("Balance the technology tilt with value or dividend funds.");
  if (v.unpriced.length) ideas.push(`Add prices for ${v.unpriced.join(", ")} so the analysis can value them.`);
  const taxableWithBonds = portfolio.accounts.filter(
    (a) => a.type === "taxable" && a.positions.some((p) => (p.instrument.allocation_asset_class.fixed_income ?? 0) > 0),
  );
  if (taxableWithBonds.length) {
    ideas.push(
      `Move bond funds from ${taxableWithBonds.map((a) => a.name).join(", ")} into tax-advantaged accounts, where their interest is not taxed yearly.`,
    );
  }
  ideas.push("Rebalance once a year back to target weights.");
  ideas.push("Review contributions yearly and raise them with income.");
  ideas.push("Keep an emergency fund outside the investment accounts.");
  ideas.push("Compare the expense ratios of the funds held and prefer low-cost index funds.");
  ideas.push("Revisit this plan after large market moves or changes in income or goals.");
  return ideas.slice(0, 7);
}
