import { describe, expect, it } from "vitest";
import { fanChartToVegaLite, inferRetirementAge, renderFanChartSvg } from "../../lib/charts/fan-chart.js";
import { projectionRows } from "./fixtures.js";

const countRole = (svg: string, role: string) => svg.split(`aria-roledescription="${role}"`).length - 1;

describe("renderFanChartSvg", () => {
  it("draws two percentile bands, the median line and the retirement rule", async () => {
    const svg = await renderFanChartSvg(projectionRows(65), { title: "Your retirement outlook" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Your retirement outlook");
    expect(countRole(svg, "area mark")).toBe(2);
    expect(countRole(svg, "line mark")).toBe(1);
    expect(countRole(svg, "rule mark")).toBe(1);
    expect(svg).toContain("Retirement at 65");
    expect(svg).toContain("10th–90th percentile");
    expect(svg).toMatch(/>\$\d+(\.\d+)?[kM]</);
  });

  it("uses an explicit retirement age over the phases", async () => {
    const svg = await renderFanChartSvg(projectionRows(65), { retirementAge: 67 });
    expect(svg).toContain("Retirement at 67");
  });

  it("omits the rule when no row is in retirement", async () => {
    const saving = projectionRows(65).filter((row) => row.phase === "accumulation");
    const svg = await renderFanChartSvg(saving);
    expect(countRole(svg, "rule mark")).toBe(0);
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
