import { tool } from "@openai/agents";
import { describe, expect, it } from "vitest";
import {
  Chart,
  ChartsPayload,
  PALETTE,
  StoredChart,
  toStoredChart,
  undrawableReason,
  withKey,
} from "../../lib/charts/chart.js";
import { assetAllocation } from "./fixtures.js";

/** The dotted path of every issue, for asserting where validation failed. */
function issuePaths(input: unknown): string[] {
  const result = Chart.safeParse(input);
  expect(result.success).toBe(false);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join("."));
}

const withPoint = (index: number, patch: object) => ({
  ...assetAllocation,
  data: assetAllocation.data.map((point, i) => (i === index ? { ...point, ...patch } : point)),
});

describe("line charts the original frontend can draw", () => {
  const series = {
    key: "projected_value",
    title: "Projected value",
    type: "line" as const,
    description: "By year",
    data: [
      { name: "2030", value: 100, color: "#3B82F6" },
      { name: "2035", value: 150, color: "#3B82F6" },
    ],
  };

  it("stores each point of a time series with the `year` key the original frontend reads", () => {
    const { chart } = toStoredChart(series);
    expect(chart.data.map((p) => p.year)).toEqual(["2030", "2035"]);
    expect(StoredChart.parse(chart)).toEqual(chart);
    expect(undrawableReason(series)).toBeUndefined();
  });

  it("refuses a line chart whose points are not years; other types keep their points as they are", () => {
    const notSeries = { ...series, data: [{ name: "Equity", value: 1, color: "#3B82F6" }] };
    expect(undrawableReason(notSeries)).toContain("name each point by its year (e.g. 2030), not Equity");
    expect(toStoredChart({ ...notSeries, type: "pie" }).chart.data[0]).not.toHaveProperty("year");
  });
});

describe("Chart schema", () => {
  it("accepts a valid chart of every type", () => {
    for (const type of ["pie", "bar", "donut", "horizontalBar", "line"] as const) {
      expect(Chart.parse({ ...assetAllocation, type })).toEqual({ ...assetAllocation, type });
    }
  });

  it("rejects a bad colour at its point", () => {
    expect(issuePaths(withPoint(1, { color: "blue" }))).toEqual(["data.1.color"]);
    expect(issuePaths(withPoint(2, { color: "#12345" }))).toEqual(["data.2.color"]);
  });

  it("rejects a negative or non-finite value at its point", () => {
    expect(issuePaths(withPoint(1, { value: -1 }))).toEqual(["data.1.value"]);
    expect(issuePaths(withPoint(0, { value: Number.POSITIVE_INFINITY }))).toEqual(["data.0.value"]);
    expect(issuePaths(withPoint(3, { value: "100" }))).toEqual(["data.3.value"]);
  });

  it("rejects an unknown type", () => {
    expect(issuePaths({ ...assetAllocation, type: "column" })).toEqual(["type"]);
  });

  it("rejects empty and oversized data", () => {
    expect(issuePaths({ ...assetAllocation, data: [] })).toEqual(["data"]);
    const many = Array.from({ length: 51 }, (_, i) => ({
      name: `n${i}`,
      value: i,
      color: PALETTE[i % PALETTE.length],
    }));
    expect(issuePaths({ ...assetAllocation, data: many })).toEqual(["data"]);
  });

  it("rejects keys that are not snake_case and empty titles", () => {
    expect(issuePaths({ ...assetAllocation, key: "Asset Allocation" })).toEqual(["key"]);
    expect(issuePaths({ ...assetAllocation, key: "../etc" })).toEqual(["key"]);
    expect(issuePaths({ ...assetAllocation, title: "" })).toEqual(["title"]);
  });

  it("stores charts under their key and back", () => {
    const { key, chart } = toStoredChart(assetAllocation);
    expect(ChartsPayload.parse({ [key]: chart })).toEqual({ asset_allocation: chart });
    expect(withKey(key, chart)).toEqual(assetAllocation);
    expect(ChartsPayload.safeParse({ "Bad Key": chart }).success).toBe(false);
  });

  it("has the original's palette of hex colours", () => {
    expect(PALETTE).toHaveLength(14);
    for (const color of PALETTE) expect(color).toMatch(/^#[0-9A-F]{6}$/);
  });

  it("converts to a strict Agents SDK tool schema", () => {
    const createChart = tool({
      name: "create_chart",
      description: "Validate and store one chart",
      parameters: Chart,
      strict: true,
      execute: async (chart) => chart.key,
    });
    expect(createChart.strict).toBe(true);
    const schema = createChart.parameters as unknown as Record<string, any>;
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["key", "title", "type", "description", "data"]);
    expect(schema.properties.type.enum).toEqual(["pie", "bar", "donut", "horizontalBar", "line"]);
    expect(schema.properties.data.items.required).toEqual(["name", "value", "color"]);
    expect(schema.properties.data.items.properties.color.pattern).toBe("^#[0-9A-Fa-f]{6}$");
  });
});
