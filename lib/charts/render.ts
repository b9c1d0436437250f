import type { TopLevelSpec } from "vega-lite";
import { usdRounded } from "../format.js";
import { percentShares } from "../portfolio/allocation.js";
import type { ChartPoint, StoredChart } from "./chart.js";
import { categoryColor } from "./palette.js";

/** Drawn at a phone's content width (about 350 px), so its text keeps its size there; wider screens scale it up. */
export const CHART_WIDTH = 340;
export const CHART_HEIGHT = 240;
/** Every chart's text size in SVG units: at least 12 px wherever the chart is drawn at its natural width or wider. */
export const CHART_FONT_SIZE = 12;
/** Sizes and font shared by every chart (the fan chart too). */
export const CHART_CONFIG = {
  font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  axis: { labelFontSize: CHART_FONT_SIZE, titleFontSize: CHART_FONT_SIZE, titleFontWeight: 600 },
  legend: { labelFontSize: CHART_FONT_SIZE, titleFontSize: CHART_FONT_SIZE },
  title: { fontSize: 15, subtitleFontSize: CHART_FONT_SIZE },
  text: { fontSize: CHART_FONT_SIZE },
} as const;

export interface ChartRenderOptions {
  /** Draw the title inside the SVG (the standalone file); a page that heads the figure itself leaves it out. */
  title?: boolean;
}
/** d3-format for whole US dollars with thousands separators: `$65,901`. */
export const USD_FORMAT = "$,.0f";

const VEGA_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
/** vega-util's `Error` log level: keep vega's warnings out of Lambda logs. */
const VEGA_LOG_ERRORS_ONLY = 1;
const DONUT_INNER_RATIO = 0.6;

/** `65900.5` → `"$65,901"` (the project's rounded-dollar format). */
export const formatUsd = usdRounded;

/** Pies and donuts: the legend goes below and adds to the height, so the circle keeps its size. */
const ARC_FRAME = { height: 180, autosize: { type: "pad" } } as const;

/** One data row as the Vega-Lite specs read it. */
interface PointRow extends ChartPoint {
  index: number;
  /** Unique legend label: the name plus its value (and share, for pies). */
  legend: string;
  /** Accessible text for the mark: `"Equities: $65,901"`. */
  summary: string;
}

/** Vega-Lite for one chart: pie/donut arcs, vertical or horizontal bars, or a line over the points in order. */
export function chartToVegaLite(chart: StoredChart, options: ChartRenderOptions = {}): TopLevelSpec {
  const rows = toRows(inCategoryColors(chart), chart.type === "pie" || chart.type === "donut");
  const frame = {
    $schema: VEGA_SCHEMA,
    ...(options.title === false ? {} : { title: { text: chart.title, anchor: "start", limit: CHART_WIDTH - 20 } }),
    config: CHART_CONFIG,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: "fit", contains: "padding" },
    background: "white",
    data: { values: rows },
  } as const;
  switch (chart.type) {
    case "pie":
      return { ...frame, ...ARC_FRAME, ...arcLayers(rows, 0) } as TopLevelSpec;
    case "donut":
      return { ...frame, ...ARC_FRAME, ...arcLayers(rows, DONUT_INNER_RATIO) } as TopLevelSpec;
    case "bar":
      return { ...frame, ...verticalBarLayers() } as TopLevelSpec;
    case "horizontalBar":
      return { ...frame, ...horizontalBarLayers() } as TopLevelSpec;
    case "line":
      return { ...frame, ...lineLayers(rows) } as TopLevelSpec;
  }
}

/** The chart as a standalone SVG document (no browser, no canvas). */
export async function renderChartSvg(chart: StoredChart, options: ChartRenderOptions = {}): Promise<string> {
  return vegaLiteToSvg(chartToVegaLite(chart, options));
}

/** A category's points in its fixed colour (lib/charts/palette.ts); other names keep the colour they were given. */
function inCategoryColors(chart: StoredChart): ChartPoint[] {
  if (chart.type === "line") return chart.data;
  return chart.data.map((point) => ({ ...point, color: categoryColor(point.name) ?? point.color }));
}

/**
 * Compiles Vega-Lite to Vega and renders it headlessly; text widths are estimated without `canvas`.
 * vega and vega-lite load on the first chart written, not with this module.
 */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new View(parse(compile(spec).spec), { renderer: "none", logLevel: VEGA_LOG_ERRORS_ONLY });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function toRows(points: ChartPoint[], withShare: boolean): PointRow[] {
  const total = points.reduce((sum, p) => sum + p.value, 0);
  // Whole percents that add up to exactly 100 as shown (largest remainder), never 99 or 101.
  const shares = percentShares(
    points.map((p) => p.value),
    0,
  );
  const seen = new Map<string, number>();
  return points.map((point, index) => {
    const share = withShare && total > 0 ? ` (${shares[index]}%)` : "";
    return {
      ...point,
      index,
      legend: uniqueLabel(`${point.name}: ${formatUsd(point.value)}${share}`, seen),
      summary: `${point.name}: ${formatUsd(point.value)}`,
    };
  });
}

/** Colour scales need distinct domain values: repeats get a ` #2`, ` #3`… suffix. */
function uniqueLabel(label: string, seen: Map<string, number>): string {
  const count = (seen.get(label) ?? 0) + 1;
  seen.set(label, count);
  return count === 1 ? label : `${label} #${count}`;
}

const tooltip = [
  { field: "name", type: "nominal", title: "Name" },
  { field: "value", type: "quantitative", format: USD_FORMAT, title: "Value" },
];
const markText = { description: { field: "summary" }, tooltip };
const colorFromData = { field: "color", type: "nominal", scale: null, legend: null };
const nameInOrder = { field: "name", type: "nominal", sort: null, title: null };
const valueAxis = { field: "value", type: "quantitative", title: null, axis: { format: USD_FORMAT } };
const valueLabel = { field: "value", type: "quantitative", format: USD_FORMAT };

function arcLayers(rows: PointRow[], innerRatio: number) {
  return {
    mark: { type: "arc", innerRadius: { expr: `min(width, height) / 2 * ${innerRatio}` }, stroke: "white" },
    encoding: {
      theta: { field: "value", type: "quantitative", stack: true },
      order: { field: "index", type: "quantitative" },
      color: {
        field: "legend",
        type: "nominal",
        title: null,
        scale: { domain: rows.map((r) => r.legend), range: rows.map((r) => r.color) },
        legend: {
          orient: "bottom",
          direction: "vertical",
          columns: 1,
          labelLimit: 0,
          symbolType: "circle",
        },
      },
      ...markText,
    },
  };
}

function verticalBarLayers() {
  return {
    encoding: { x: { ...nameInOrder, axis: { labelAngle: -45, labelLimit: 160 } }, y: valueAxis },
    layer: [
      { mark: { type: "bar" }, encoding: { color: colorFromData, ...markText } },
      { mark: { type: "text", dy: -6, fontSize: CHART_FONT_SIZE }, encoding: { text: valueLabel } },
    ],
  };
}

function horizontalBarLayers() {
  return {
    encoding: { y: { ...nameInOrder, axis: { labelLimit: 140 } }, x: valueAxis },
    layer: [
      { mark: { type: "bar" }, encoding: { color: colorFromData, ...markText } },
      { mark: { type: "text", align: "left", dx: 4, fontSize: CHART_FONT_SIZE }, encoding: { text: valueLabel } },
    ],
  };
}

function lineLayers(rows: PointRow[]) {
  return {
    encoding: { x: { ...nameInOrder, type: "ordinal", axis: { labelAngle: -45, labelLimit: 160 } }, y: valueAxis },
    layer: [
      { mark: { type: "line", color: rows[0]?.color ?? "#3B82F6", strokeWidth: 2 } },
      { mark: { type: "point", filled: true, size: 64, opacity: 1 }, encoding: { color: colorFromData, ...markText } },
    ],
  };
}
