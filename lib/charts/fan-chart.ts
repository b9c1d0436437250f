import type { TopLevelSpec } from "vega-lite";
import { usdRounded } from "../format.js";
import { CHART_CONFIG, CHART_FONT_SIZE, USD_FORMAT, vegaLiteToSvg } from "./render.js";

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
  /** Age by which 1 in 10 paths has run out (the simulation's own figure); by default read off the p10 rows. */
  depletionAge?: number | null;
  /** The title drawn inside the SVG; null leaves it out (a page that heads the figure itself). */
  title?: string | null;
  /** What the values are in, shown on the value axis; the engine's projections are in today's dollars. */
  units?: string;
  width?: number;
  height?: number;
}

const RETIREMENT_RULE_COLOR = "#6B7280";
const DEPLETION_COLOR = "#DC2626";
/** The top band is clipped when its peak is more than this many times the 75th percentile's peak. */
const CLIP_RATIO = 1.5;
/** One colour per legend entry, so each band and the median line can be told apart. */
const FAN_COLORS = { outer: "#BFDBFE", inner: "#60A5FA", median: "#1E3A8A" } as const;
const BANDS = {
  outer: "10th–90th percentile",
  inner: "25th–75th percentile",
  median: "Median",
} as const;

/** How the value axis is scaled: its top, and what rises above it (when the 90th percentile is clipped). */
export interface FanScale {
  top: number;
  clipped: { value: number; age: number } | null;
}

/**
 * The value axis keeps the lower bands readable, where failure happens: when the 90th percentile would dwarf the
 * rest (a single stock's $60M), the axis ends a little above the 75th percentile's peak and the top is clipped.
 */
export function fanScale(rows: FanChartRow[]): FanScale {
  const peak = (key: "p75" | "p90") => rows.reduce((best, row) => (row[key] > best[key] ? row : best), rows[0]!);
  const p90 = peak("p90");
  const p75 = peak("p75").p75;
  if (p90.p90 <= p75 * CLIP_RATIO || p75 <= 0) return { top: p90.p90, clipped: null };
  return { top: p75 * 1.15, clipped: { value: p90.p90, age: p90.age } };
}

/** The first retirement age at which the 10th percentile has run out of money, if it does. */
export function depletionAge(rows: FanChartRow[]): number | undefined {
  return rows.find((row) => row.phase === "retirement" && row.p10 <= 0)?.age;
}

/** A sentence under the chart for what the axis leaves out, or "" when nothing is clipped. */
export function fanClipNote(rows: FanChartRow[]): string {
  const { clipped } = fanScale(rows);
  return clipped
    ? `The best outcomes run above the chart (the 90th percentile reaches ${usdRounded(clipped.value)} at age ${clipped.age}), so the lower bands stay readable.`
    : "";
}

/** `$0`, `$850k`, `$1.2M`: axis labels with the unit each value needs (never "$0k"). */
const MONEY_LABEL =
  "datum.value == 0 ? '$0' : abs(datum.value) >= 1e6 ? '$' + format(datum.value / 1e6, '.3~r') + 'M' : abs(datum.value) >= 1e3 ? '$' + format(datum.value / 1e3, '.3~r') + 'k' : '$' + format(datum.value, ',.0f')";

/**
 * Vega-Lite for a percentile fan over age: p10–p90 and p25–p75 bands, the median line, a rule at retirement,
 * the $0 line where the money runs out (marked at the age the 10th percentile gets there), the top clipped when
 * it would flatten the rest.
 */
export function fanChartToVegaLite(projections: FanChartRow[], options: FanChartOptions = {}): TopLevelSpec {
  const retirementAge = options.retirementAge ?? inferRetirementAge(projections);
  const rows = [...projections].sort((a, b) => a.age - b.age);
  const scale = fanScale(rows);
  const yScale = { domain: [0, scale.top], nice: scale.clipped === null, zero: true, clamp: true };
  const width = options.width ?? 560;
  const legendColumns = width < 500 ? 1 : 3;
  const depleted = options.depletionAge === undefined ? depletionAge(rows) : (options.depletionAge ?? undefined);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(options.title === null
      ? {}
      : { title: { text: options.title ?? "Projected portfolio value", anchor: "start" } }),
    config: CHART_CONFIG,
    width,
    height: options.height ?? 320,
    autosize: { type: "fit", contains: "padding" },
    background: "white",
    data: { values: rows },
    encoding: {
      x: { field: "age", type: "quantitative", title: "Age", scale: { zero: false, nice: false } },
    },
    layer: [
      band("p10", "p90", BANDS.outer, yScale, legendColumns, `Portfolio value (${options.units ?? "today's dollars"})`),
      band("p25", "p75", BANDS.inner, yScale, legendColumns),
      {
        mark: { type: "line", strokeWidth: 2.5 },
        encoding: {
          y: { field: "p50", type: "quantitative", scale: yScale },
          color: legendColor(BANDS.median, legendColumns),
          tooltip: [
            { field: "age", type: "quantitative", title: "Age" },
            { field: "p10", type: "quantitative", format: USD_FORMAT, title: "10th percentile" },
            { field: "p50", type: "quantitative", format: USD_FORMAT, title: "Median" },
            { field: "p90", type: "quantitative", format: USD_FORMAT, title: "90th percentile" },
          ],
        },
      },
      ...(retirementAge === undefined ? [] : retirementRule(retirementAge)),
      ...depletionMarks(depleted),
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

function band(
  low: keyof FanChartRow,
  high: keyof FanChartRow,
  label: string,
  scale: object,
  legendColumns: number,
  axisTitle?: string,
) {
  return {
    mark: { type: "area", opacity: 1 },
    encoding: {
      y: { field: low, type: "quantitative", title: axisTitle ?? null, scale, axis: { labelExpr: MONEY_LABEL } },
      y2: { field: high },
      color: legendColor(label, legendColumns),
    },
  };
}

function legendColor(label: string, columns: number) {
  return {
    datum: label,
    type: "nominal",
    title: null,
    scale: { domain: Object.values(BANDS), range: [FAN_COLORS.outer, FAN_COLORS.inner, FAN_COLORS.median] },
    legend: {
      orient: "bottom",
      direction: "horizontal",
      columns,
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
      mark: {
        type: "text",
        align: "left",
        baseline: "top",
        dx: 4,
        dy: 4,
        color: RETIREMENT_RULE_COLOR,
        fontSize: CHART_FONT_SIZE,
      },
      encoding: { x: { field: "age", type: "quantitative" }, y: { value: 0 }, text: { field: "label" } },
    },
  ];
}

/** The $0 line (the money has run out) and, when 1 in 10 paths gets there, the age it does. */
function depletionMarks(age: number | undefined) {
  const zero = { y: { datum: 0, type: "quantitative" } };
  const at = { data: { values: [{ age: age ?? 0 }] } };
  const rule = { ...at, mark: { type: "rule", color: DEPLETION_COLOR, strokeWidth: 1.5 }, encoding: zero };
  const text = {
    type: "text",
    baseline: "bottom",
    dy: -6,
    color: DEPLETION_COLOR,
    fontSize: CHART_FONT_SIZE,
    fontWeight: 600,
  };
  if (age === undefined)
    return [
      rule,
      {
        ...at,
        mark: { ...text, align: "left", dx: 4 },
        encoding: { x: { value: 0 }, ...zero, text: { value: "$0: money runs out" } },
      },
    ];
  const x = { x: { field: "age", type: "quantitative" } };
  return [
    rule,
    { ...at, mark: { type: "rule", color: DEPLETION_COLOR, strokeDash: [2, 3], strokeWidth: 1.5 }, encoding: x },
    {
      ...at,
      mark: { type: "point", filled: true, size: 80, color: DEPLETION_COLOR, opacity: 1 },
      encoding: { ...x, ...zero },
    },
    {
      ...at,
      mark: { ...text, align: "right", baseline: "top", dx: -4, dy: 22 },
      encoding: { ...x, y: { value: 0 }, text: { value: `1 in 10 paths has run out by ${age}` } },
    },
  ];
}
