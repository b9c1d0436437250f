import * as z from "zod";

const CHART_TYPES = ["pie", "bar", "donut", "horizontalBar", "line"] as const;
export type ChartType = (typeof CHART_TYPES)[number];

/** The colours the original charter's prompt offered, in its order. */
export const PALETTE = [
  "#3B82F6",
  "#10B981",
  "#F59E0B",
  "#EF4444",
  "#6B7280",
  "#6366F1",
  "#14B8A6",
  "#F97316",
  "#EC4899",
  "#8B5CF6",
  "#059669",
  "#0891B2",
  "#DC2626",
  "#7C3AED",
] as const;

const MAX_CHART_POINTS = 50;
/** A generous ceiling (one trillion USD) that still rules out absurd model output. */
const MAX_CHART_VALUE = 1e12;

// Plain constraints only (no transforms, refinements or defaults): this schema is also the
// create_chart tool's strict JSON schema.
export const ChartKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, "must be snake_case: a lowercase letter, then up to 39 of a-z, 0-9, _")
  .describe("Unique snake_case identifier of the chart, e.g. asset_allocation");

export const ChartPoint = z.object({
  name: z.string().min(1).max(80).describe("Label of this slice, bar or point"),
  value: z.number().min(0).max(MAX_CHART_VALUE).describe("Amount in US dollars (not a percentage), >= 0"),
  color: z
    .string()
    .regex(/^#[0-9A-Fa-f]{6}$/, "must be a hex colour #RRGGBB")
    .describe("Hex colour #RRGGBB"),
});
export type ChartPoint = z.infer<typeof ChartPoint>;

/** A line chart is a time series: each point is named by its year, and the points are in year order. */
const YEAR = /^\d{4}$/;

const chartFields = {
  title: z.string().min(1).max(100).describe("Title shown above the chart"),
  type: z
    .enum(CHART_TYPES)
    .describe(
      "pie, donut, bar (vertical), horizontalBar, or line (a time series only: each point named by its year, e.g. 2030, in year order)",
    ),
  description: z.string().max(500).describe("One or two sentences on what the chart shows"),
  data: z.array(ChartPoint).min(1).max(MAX_CHART_POINTS).describe("The data points, in display order"),
};

/** One chart as the charter agent's `create_chart` tool receives it. */
export const Chart = z.object({ key: ChartKey, ...chartFields });
export type Chart = z.infer<typeof Chart>;

/** A stored point; a line chart's points also carry `year` (= name), the x key the original frontend reads. */
export const StoredChartPoint = ChartPoint.extend({ year: z.string().regex(YEAR).optional() });
export type StoredChartPoint = z.infer<typeof StoredChartPoint>;

/** A chart as stored under its key in `jobs.charts_payload`. */
export const StoredChart = z.object({ ...chartFields, data: z.array(StoredChartPoint).min(1).max(MAX_CHART_POINTS) });
export type StoredChart = z.infer<typeof StoredChart>;

/** Why a chart cannot be drawn by every client, or undefined: a line chart needs year-named points. */
export function undrawableReason(chart: Chart): string | undefined {
  if (chart.type !== "line") return undefined;
  const bad = chart.data.filter((p) => !YEAR.test(p.name)).map((p) => p.name);
  return bad.length
    ? `a line chart is a time series: name each point by its year (e.g. 2030), not ${bad.slice(0, 3).join(", ")}`
    : undefined;
}

/** The `jobs.charts_payload` shape: `{<key>: {title, type, description, data}}`. */
export const ChartsPayload = z.record(ChartKey, StoredChart);
export type ChartsPayload = z.infer<typeof ChartsPayload>;

/** Splits a tool-call chart into its key and the stored body. */
export function toStoredChart({ key, ...body }: Chart): { key: string; chart: StoredChart } {
  if (body.type !== "line") return { key, chart: body };
  return { key, chart: { ...body, data: body.data.map((p) => ({ ...p, year: p.name })) } };
}

/** Rejoins a stored chart with its key. */
export function withKey(key: string, chart: StoredChart): Chart {
  return { key, ...chart };
}
