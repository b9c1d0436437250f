import type { Chart, ChartPoint } from "../../charts/chart.js";
import { chartColors, GLOBAL_REGION_LABEL } from "../../charts/palette.js";
import { accountTypeLabel, label, usd } from "../../format.js";
import type { OfflinePolicy } from "../../models/offline.js";
import type { Portfolio } from "../../portfolio/types.js";
import { cents, largestWithOther, type Valuation } from "../../portfolio/valuation.js";

/** The offline analyst draws five charts from the valuation, all at once, then reports them. */
export function charterPolicy(portfolio: Portfolio, valuation: Valuation): OfflinePolicy {
  return ({ toolResults }) => {
    if (toolResults.length > 0)
      return { final: `Created charts: ${toolResults.map((r) => (r.arguments as Chart).key).join(", ")}.` };
    return {
      toolCalls: offlineCharts(portfolio, valuation).map((chart) => ({ name: "create_chart", arguments: chart })),
    };
  };
}

/**
 * Points from USD amounts, each in its category's fixed colour (lib/charts/palette.ts); `total` (if given)
 * absorbs the rounding so the points sum to it.
 */
function points(amounts: [string, number][], total?: number): ChartPoint[] {
  const kept = amounts.filter(([, v]) => v > 0);
  const colors = chartColors(kept.map(([name]) => name));
  const data = kept.map(([name, value], i) => ({ name, value: cents(value), color: colors[i]! }));
  if (total !== undefined && data.length > 0) {
    const drift = cents(total - data.reduce((sum, p) => sum + p.value, 0));
    data[0].value = cents(data[0].value + drift);
  }
  return data;
}

function offlineCharts(portfolio: Portfolio, v: Valuation): Chart[] {
  const byType = new Map<string, number>();
  for (const a of v.accounts) byType.set(a.type, (byType.get(a.type) ?? 0) + a.total_value);
  const charts: Chart[] = [
    {
      key: "asset_allocation",
      title: "Asset Allocation",
      type: "pie",
      description: `How the ${usd(v.total_value)} portfolio splits across asset classes, account cash included.`,
      data: points(
        Object.entries(v.allocation.asset_class).map(([k, amount]) => [label(k), amount]),
        v.total_value,
      ),
    },
    {
      key: "geographic_exposure",
      title: "Geographic Exposure",
      type: "bar",
      description: "Invested assets by region (cash excluded).",
      data: points(mergedRegions(v.allocation.region), v.invested),
    },
    {
      key: "sector_breakdown",
      title: "Sector Breakdown",
      type: "donut",
      description: "Invested assets by sector: the largest, with the rest as Other, adding up to the invested total.",
      data: points(
        Object.entries(largestWithOther(v.allocation.sector, 10)).map(([k, amount]) => [label(k), amount]),
        v.invested,
      ),
    },
    {
      key: "account_types",
      title: "Accounts by Type",
      type: "pie",
      description: `Value held in each kind of account across ${portfolio.accounts.length} account(s).`,
      data: points(
        [...byType].map(([type, amount]) => [accountTypeLabel(type), amount]),
        v.total_value,
      ),
    },
    {
      key: "top_holdings",
      title: "Top Holdings",
      type: "horizontalBar",
      description: "The largest positions by market value.",
      data: points(v.positions.slice(0, 10).map((p) => [p.symbol, p.value])),
    },
  ];
  return charts.filter((chart) => chart.data.length > 0);
}

/** Regions by label, "global" and "international" as one region (both mean "not one place"), largest first. */
function mergedRegions(regions: Partial<Record<string, number>>): [string, number][] {
  const merged = new Map<string, number>();
  for (const [key, amount] of Object.entries(regions)) {
    const name = key === "global" || key === "international" ? GLOBAL_REGION_LABEL : label(key);
    merged.set(name, (merged.get(name) ?? 0) + (amount ?? 0));
  }
  return [...merged].sort((a, b) => b[1] - a[1]);
}
