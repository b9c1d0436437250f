import { describe, expect, it } from "vitest";
import type { Chart, ChartType } from "../../lib/charts/chart.js";
import { categoryColor } from "../../lib/charts/palette.js";
import { CHART_HEIGHT, CHART_WIDTH, chartToVegaLite, formatUsd, renderChartSvg } from "../../lib/charts/render.js";
import { assetAllocation } from "./fixtures.js";

/** Vega marks each data item with an ARIA role description; counting them counts drawn points. */
function countRole(svg: string, role: string): number {
  return svg.split(`aria-roledescription="${role}"`).length - 1;
}

const MARK_ROLE: Record<ChartType, string> = {
  pie: "arc mark",
  donut: "arc mark",
  bar: "bar",
  horizontalBar: "bar",
  line: "point",
};

describe("renderChartSvg", () => {
  for (const type of Object.keys(MARK_ROLE) as ChartType[]) {
    it(`draws a ${type} chart with one mark per point, each category in its fixed colour`, async () => {
      const chart: Chart = { ...assetAllocation, type, title: `Allocation as ${type}` };
      const svg = await renderChartSvg(chart);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain(`Allocation as ${type}`);
      expect(countRole(svg, MARK_ROLE[type])).toBe(chart.data.length);
      // Cash and Real Estate are categories (always their palette colour); Equities and Bonds keep theirs.
      // A line is one series: its points keep the colours given.
      for (const point of chart.data)
        expect(svg).toContain(`fill="${(type !== "line" && categoryColor(point.name)) || point.color}"`);
      if (type !== "line") expect(svg).not.toContain('fill="#6B7280"');
      expect(svg).toContain("$65,901");
    });
  }

  it("labels pie slices in the legend with name, dollars and share", async () => {
    const svg = await renderChartSvg(assetAllocation);
    expect(svg).toContain("Equities: $65,901 (70%)");
    expect(svg).toContain("Cash: $4,600 (5%)");
  });

  it("puts dollar amounts on the value axis of bar charts", async () => {
    const svg = await renderChartSvg({ ...assetAllocation, type: "bar" });
    expect(svg).toContain(">$20,000<");
  });

  it("keeps one slice per point when names repeat", async () => {
    const data = [
      { name: "Fund A", value: 100, color: "#3B82F6" },
      { name: "Fund A", value: 100, color: "#10B981" },
    ];
    const svg = await renderChartSvg({ ...assetAllocation, data });
    expect(countRole(svg, "arc mark")).toBe(2);
    expect(svg).toContain('fill="#10B981"');
  });

  it("escapes model-written text inside the SVG", async () => {
    const svg = await renderChartSvg({ ...assetAllocation, title: "<script>alert(1)</script>" });
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
  });

  it("is deterministic", async () => {
    expect(await renderChartSvg(assetAllocation)).toBe(await renderChartSvg(assetAllocation));
  });
});

describe("chartToVegaLite", () => {
  it("makes pies and donuts arcs, the donut with a hole", () => {
    const pie = chartToVegaLite(assetAllocation) as any;
    const donut = chartToVegaLite({ ...assetAllocation, type: "donut" }) as any;
    expect(pie.mark.type).toBe("arc");
    expect(pie.mark.innerRadius.expr).toMatch(/\* 0$/);
    expect(donut.mark.innerRadius.expr).toMatch(/\* 0\.6$/);
  });

  it("puts names on x for bars and on y for horizontal bars, in the given order", () => {
    const bar = chartToVegaLite({ ...assetAllocation, type: "bar" }) as any;
    const horizontal = chartToVegaLite({ ...assetAllocation, type: "horizontalBar" }) as any;
    expect(bar.encoding.x).toMatchObject({ field: "name", sort: null });
    expect(horizontal.encoding.y).toMatchObject({ field: "name", sort: null });
    expect(horizontal.encoding.x.axis.format).toBe("$,.0f");
  });

  it("has a phone-sized width and the title, or no title for a page that heads the figure", () => {
    const spec = chartToVegaLite({ ...assetAllocation, type: "bar" }) as any;
    expect(spec.title.text).toBe(assetAllocation.title);
    expect([spec.width, spec.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    expect(CHART_WIDTH).toBeLessThanOrEqual(350);
    expect((chartToVegaLite(assetAllocation, { title: false }) as any).title).toBeUndefined();
  });

  it("writes every text at 12 px or more", async () => {
    for (const type of ["pie", "bar", "horizontalBar"] as const) {
      const svg = await renderChartSvg({ ...assetAllocation, type });
      const sizes = [...svg.matchAll(/font-size="([\d.]+)px"/g)].map((m) => Number(m[1]));
      expect(sizes.length).toBeGreaterThan(3);
      expect(Math.min(...sizes), type).toBeGreaterThanOrEqual(12);
    }
  });
});

describe("formatUsd", () => {
  it("formats whole dollars with thousands separators", () => {
    expect(formatUsd(65900.5)).toBe("$65,901");
    expect(formatUsd(0)).toBe("$0");
    expect(formatUsd(1234567)).toBe("$1,234,567");
  });
});
