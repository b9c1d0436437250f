import type { Chart } from "../../lib/charts/chart.js";
import type { FanChartRow } from "../../lib/charts/fan-chart.js";

export const assetAllocation: Chart = {
  key: "asset_allocation",
  title: "Asset Class Distribution",
  type: "pie",
  description: "Portfolio allocation across major asset classes",
  data: [
    { name: "Equities", value: 65900.5, color: "#3B82F6" },
    { name: "Bonds", value: 14100.25, color: "#10B981" },
    { name: "Real Estate", value: 9400, color: "#F59E0B" },
    { name: "Cash", value: 4600, color: "#6B7280" },
  ],
};

/** A smooth made-up projection: saving until 65, then drawing down; bands widen with time. */
export function projectionRows(retirementAge = 65): FanChartRow[] {
  const rows: FanChartRow[] = [];
  let median = 55_000;
  for (let year = 0; year <= 50; year++) {
    const age = 40 + year;
    const phase = age <= retirementAge ? "accumulation" : "retirement";
    if (year > 0) median = phase === "accumulation" ? median * 1.06 + 10_000 : Math.max(0, median * 1.04 - 50_000);
    const spread = 0.06 * Math.sqrt(year);
    rows.push({
      year,
      age,
      phase,
      p10: median * Math.max(0, 1 - 2 * spread),
      p25: median * Math.max(0, 1 - spread),
      p50: median,
      p75: median * (1 + spread),
      p90: median * (1 + 2 * spread),
    });
  }
  return rows;
}
