import { describe, expect, it } from "vitest";
import { categoryColor, chartColors, colorFor, NAME_HUES } from "../../lib/charts/palette.js";
import { accountTypeLabel, label } from "../../lib/format.js";
import { ACCOUNT_TYPES, ASSET_CLASSES, REGIONS, SECTORS } from "../../lib/portfolio/types.js";

describe("one colour per category", () => {
  it("gives Cash the same colour by key, label and any case", () => {
    expect(categoryColor("cash")).toBe("#059669");
    expect(categoryColor("Cash")).toBe("#059669");
    expect(categoryColor(" CASH ")).toBe("#059669");
  });

  it("gives every asset class, region, sector and account type a colour, distinct within its group", () => {
    const groups: [readonly string[], (key: string) => string][] = [
      [ASSET_CLASSES, label],
      [REGIONS.filter((region) => region !== "international"), label],
      [SECTORS, label],
      [ACCOUNT_TYPES, accountTypeLabel],
    ];
    for (const [keys, toLabel] of groups) {
      const colours = keys.map((key) => categoryColor(toLabel(key)));
      expect(colours.every(Boolean), keys.join()).toBe(true);
      expect(new Set(colours).size, keys.join()).toBe(keys.length);
    }
  });

  it("draws Global and International as one region", () => {
    expect(categoryColor("Global")).toBe(categoryColor("International"));
  });

  it("colours other names (symbols) by a hash of the name alone, so the same in every chart and job", () => {
    expect(NAME_HUES).toContain(colorFor("SPY"));
    expect(chartColors(["Cash", "SPY"])).toEqual(["#059669", colorFor("SPY")]);
    expect(chartColors(["QQQ", "SPY", "GLD"])[1]).toBe(chartColors(["SPY"])[0]);
    const names = Array.from({ length: 60 }, (_, i) => `SYM${i}`);
    expect(new Set(chartColors(names)).size).toBeGreaterThan(NAME_HUES.length / 2);
  });
});
