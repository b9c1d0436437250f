import type { TopLevelSpec } from "vega-lite";
import { USD_FORMAT, vegaLiteToSvg } from "./render.js";

/** One row of the Monte Carlo engine's projection: portfolio value percentiles at a given age. */
export interface FanChartRow {
  year: number;
  age: number;
  phase: string;
  p10: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
}

export interface FanChartOptions {
  /** Age at which retirement starts; by default the last `accumulation` age before `retirement` rows. */
  retirementAge?: number;
  title?: string;
  /** What the values are in, shown on the value axis; the engine's projections are in today's dollars. */
  units?: string;
  width?: number;
  height?: number;
}

export const FAN_COLOR = "#3B82F6";
const RETIREMENT_RULE_COLOR = "#DC2626";
/** One colour per legend entry, so each band and the median line can be told apart. */
export const FAN_COLORS = { outer: "#BFDBFE", inner: "#60A5FA", median: "#1E3A8A" } as const;
const BANDS = {
  outer: "10th–90th percentile",
  inner: "25th–75th percentile",
  median: "Median",
} as const;

/** Vega-Lite for a percentile fan over age: p10–p90 and p25–p75 bands, the median line, a rule at retirement. */
export function fanChartToVegaLite(projections: FanChartRow[], options: FanChartOptions = {}): TopLevelSpec {
  const retirementAge = options.retirementAge ?? inferRetirementAge(projections);
  const rows = [...projections].sort((a, b) => a.age - b.age);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: options.title ?? "Projected portfolio value", anchor: "start" },
    width: options.width ?? 560,
    height: options.height ?? 320,
    autosize: { type: "fit", contains: "padding" },
    background: "white",
    data: { values: rows },
    encoding: {
      x: { field: "age", type: "quantitative", title: "Age", scale: { zero: false, nice: false } },
    },
    layer: [
      band("p10", "p90", BANDS.outer, `Portfolio value (${options.units ?? "today's dollars"})`),
      band("p25", "p75", BANDS.inner),
      {
        mark: { type: "line", strokeWidth: 2.5 },
        encoding: {
          y: { field: "p50", type: "quantitative" },
          color: legendColor(BANDS.median),
          tooltip: [
            { field: "age", type: "quantitative", title: "Age" },
            { field: "p10", type: "quantitative", format: USD_FORMAT, title: "10th percentile" },
            { field: "p50", type: "quantitative", format: USD_FORMAT, title: "Median" },
            { field: "p90", type: "quantitative", format: USD_FORMAT, title: "90th percentile" },
          ],
        },
      },
      ...(retirementAge === undefined ? [] : retirementRule(retirementAge)),
    ],
  } as TopLevelSpec;
}

/** The fan chart as a standalone SVG document. */
export async function renderFanChartSvg(projections: FanChartRow[], options: FanChartOptions = {}): Promise<string> {
  if (projections.length === 0) throw new Error("renderFanChartSvg: no projection rows to draw");
  return vegaLiteToSvg(fanChartToVegaLite(projections, options));
}

/** Retirement starts where accumulation ends (or at the first row, for someone already retired). */
export function inferRetirementAge(projections: FanChartRow[]): number | undefined {
  const agesIn = (phase: string) => projections.filter((row) => row.phase === phase).map((row) => row.age);
  const retired = agesIn("retirement");
  if (retired.length === 0) return undefined;
  const saving = agesIn("accumulation");
  return saving.length > 0 ? Math.max(...saving) : Math.min(...retired);
}

function band(low: keyof FanChartRow, high: keyof FanChartRow, label: string, axisTitle?: string) {
  return {
    mark: { type: "area", opacity: 1 },
    encoding: {
      y: { field: low, type: "quantitative", title: axisTitle ?? null, axis: { format: "$~s" } },
      y2: { field: high },
      color: legendColor(label),
    },
  };
}

function legendColor(label: string) {
  return {
    datum: label,
    type: "nominal",
    title: null,
    scale: { domain: Object.values(BANDS), range: [FAN_COLORS.outer, FAN_COLORS.inner, FAN_COLORS.median] },
    legend: {
      orient: "bottom",
      direction: "horizontal",
      symbolType: "square",
      symbolOpacity: 1,
      labelLimit: 0,
      columnPadding: 24,
    },
  };
}

function retirementRule(age: number) {
  const at = { data: { values: [{ age, label: `Retirement at ${age}` }] } };
  return [
    {
      ...at,
      mark: { type: "rule", color: RETIREMENT_RULE_COLOR, strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: { x: { field: "age", type: "quantitative" } },
    },
    {
      ...at,
      mark: { type: "text", align: "left", baseline: "top", dx: 4, dy: 4, color: RETIREMENT_RULE_COLOR, fontSize: 11 },
      encoding: { x: { field: "age", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } },
    },
  ];
}
