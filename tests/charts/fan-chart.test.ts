import { describe, expect, it } from "vitest";
import {
  depletionAge,
  fanChartToVegaLite,
  fanClipNote,
  fanScale,
  inferRetirementAge,
  renderFanChartSvg,
} from "../../lib/charts/fan-chart.js";
import { projectionRows } from "./fixtures.js";

const countRole = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;

describe("renderFanChartSvg", () => {
  it("draws two percentile bands, the median line and the retirement rule", async () => {
    const svg = await renderFanChartSvg(projectionRows(65), { title: "Your retirement outlook", depletionAge: 84 });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Your retirement outlook");
    expect(countRole(svg, "area mark")).toBe(2);
    expect(countRole(svg, "line mark")).toBe(1);
    // Retirement, the $0 line, and the age by which 1 in 10 paths has run out.
    expect(countRole(svg, "rule mark")).toBe(3);
    expect(svg).toContain("Retirement at 65");
    expect(svg).toContain("1 in 10 paths has run out by 84");
    expect(svg).toContain("10th–90th percentile");
    expect(svg).toMatch(/>\$\d+(\.\d+)?[kM]</);
  });

  it("labels the value axis $0, $…k, $…M, never $0k", async () => {
    const svg = await renderFanChartSvg(projectionRows(65));
    const labels = [...svg.matchAll(/role-axis-label[\s\S]*?<\/g>/g)].flatMap((axis) =>
      [...axis[0].matchAll(/>(\$[^<]*)</g)].map((m) => m[1]),
    );
    expect(labels).toContain("$0");
    expect(labels.filter((label) => /^\$0[.0]*[kM]$/.test(label))).toEqual([]);
    for (const label of labels) expect(label).toMatch(/^\$(0|\d{1,3}(\.\d+)?[kM])$/);
  });

  it("uses the simulation's own depletion age when given, and says $0 when no path runs out", async () => {
    expect(await renderFanChartSvg(projectionRows(65), { depletionAge: 77 })).toContain("run out by 77");
    const none = await renderFanChartSvg(projectionRows(65), { depletionAge: null });
    expect(none).toContain("$0: money runs out");
    expect(none).not.toContain("run out by");
  });

  it("uses an explicit retirement age over the phases", async () => {
    const svg = await renderFanChartSvg(projectionRows(65), { retirementAge: 67 });
    expect(svg).toContain("Retirement at 67");
  });

  it("omits the rule when no row is in retirement", async () => {
    const saving = projectionRows(65).filter((row) => row.phase === "accumulation");
    const svg = await renderFanChartSvg(saving);
    expect(svg).not.toContain("Retirement at");
    expect(countRole(svg, "rule mark")).toBe(1);
    expect(countRole(svg, "area mark")).toBe(2);
  });

  it("refuses an empty projection", async () => {
    await expect(renderFanChartSvg([])).rejects.toThrow(/no projection rows/);
  });
});

describe("fanChartToVegaLite", () => {
  it("plots over age in age order", () => {
    const spec = fanChartToVegaLite([...projectionRows()].reverse()) as any;
    expect(spec.encoding.x.field).toBe("age");
    expect(spec.data.values[0].age).toBe(40);
  });
});

describe("depletionAge", () => {
  it("is the first retirement age whose 10th percentile is $0", () => {
    const rows = projectionRows(65).map((row) => ({ ...row, p10: row.age >= 79 ? 0 : row.p10 }));
    expect(depletionAge(rows)).toBe(79);
    expect(depletionAge(projectionRows(65).map((row) => ({ ...row, p10: 1 })))).toBeUndefined();
  });
});

describe("fanScale", () => {
  it("clips a 90th percentile that would flatten the rest, and says so", () => {
    const rows = projectionRows(65).map((row) => ({ ...row, p90: row.p90 * (row.age > 80 ? 20 : 1) }));
    const scale = fanScale(rows);
    const p75Peak = Math.max(...rows.map((row) => row.p75));
    expect(scale.top).toBeCloseTo(p75Peak * 1.15);
    expect(scale.clipped!.value).toBe(Math.max(...rows.map((row) => row.p90)));
    expect(fanClipNote(rows)).toMatch(
      /^The best outcomes run above the chart \(the 90th percentile reaches \$[\d,]+ at age \d+\)/,
    );
    const spec = fanChartToVegaLite(rows) as any;
    expect(spec.layer[0].encoding.y.scale).toMatchObject({ domain: [0, scale.top], clamp: true });
  });

  it("keeps the whole fan when the top band is not far above the rest", () => {
    const rows = projectionRows(65);
    expect(fanScale(rows)).toEqual({ top: Math.max(...rows.map((row) => row.p90)), clipped: null });
    expect(fanClipNote(rows)).toBe("");
  });
});

describe("inferRetirementAge", () => {
  it("is the last saving age before retirement rows", () => {
    expect(inferRetirementAge(projectionRows(65))).toBe(65);
  });

  it("is the first age when already retired, and undefined without retirement rows", () => {
    const retired = projectionRows(65).filter((row) => row.phase === "retirement");
    expect(inferRetirementAge(retired)).toBe(66);
    expect(inferRetirementAge(projectionRows(200))).toBeUndefined();
  });
});
