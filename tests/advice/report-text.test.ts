import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chartToVegaLite } from "../../lib/charts/render.js";
import { loadBundledCorpus } from "../../lib/knowledge/documents.js";
import { HashEmbedder } from "../../lib/knowledge/hash-embedder.js";
import { excerpt, KnowledgeBase } from "../../lib/knowledge/knowledge-base.js";
import { LocalVectorStore } from "../../lib/knowledge/local-store.js";
import { percentShares } from "../../lib/portfolio/allocation.js";
import type { Instrument, Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";

const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 10) / 10;

describe("percentages of one breakdown add up to exactly 100 as shown", () => {
  it("thirds and near-halves: largest remainder, never 99.9 or 100.1", () => {
    expect(percentShares([1, 1, 1])).toEqual([33.4, 33.3, 33.3]);
    expect(sum(percentShares([1, 1, 1]))).toBe(100);
    expect(sum(percentShares([2, 2, 2, 2, 2, 2, 2]))).toBe(100);
    expect(percentShares([1, 1, 1], 0)).toEqual([34, 33, 33]);
    expect(percentShares([0, 0])).toEqual([0, 0]);
  });

  it("a pie chart's labels add up to 100%, never 99 or 101", () => {
    const spec = chartToVegaLite({
      title: "Thirds",
      type: "pie",
      description: "Three equal slices",
      data: [
        { name: "A", value: 100, color: "#3B82F6" },
        { name: "B", value: 100, color: "#10B981" },
        { name: "C", value: 100, color: "#F59E0B" },
      ],
    });
    const legends = ((spec as { data: { values: { legend: string }[] } }).data.values ?? []).map((r) => r.legend);
    const shares = legends.map((legend) => Number(/\((\d+)%\)/.exec(legend)?.[1]));
    expect(shares.reduce((a, b) => a + b, 0)).toBe(100);
  });
});

describe("knowledge notes are context, never pasted: whole sentences, each note once, no writer's points", () => {
  it("an excerpt ends on a sentence", () => {
    const text = "First sentence is here. Second one follows it. A third sentence that would not fit in the limit.";
    expect(excerpt(text, 50)).toBe("First sentence is here. Second one follows it.");
    expect(excerpt("One long sentence that runs past the limit but ends.", 30)).toBe(
      "One long sentence that runs past the limit but ends.",
    );
  });

  it("market insights never quote a 'Points for the report' section, cut a sentence, or repeat a note", async () => {
    const store = await LocalVectorStore.open({
      dir: mkdtempSync(join(tmpdir(), "alex-kb-")),
      space: new HashEmbedder(),
    });
    const kb = new KnowledgeBase({ embedder: new HashEmbedder(), store });
    await kb.ingest(await loadBundledCorpus());
    const insights = await kb.marketInsights(["BND", "AGG", "SPY", "VEA", "GLD"]);
    const lines = insights.split("\n").slice(1);
    expect(lines.length).toBeGreaterThan(1);
    expect(insights).not.toMatch(/Mention the|Compare the bond share|Points for the report/);
    for (const line of lines) expect(line).toMatch(/[.!?]$/);
    const titles = lines.map((line) => line.slice(2, line.indexOf(":")));
    expect(new Set(titles).size).toBe(titles.length);
  });
});

describe("allocation buckets are exact half-up cents", () => {
  it("two holdings of one cent split 50/50 give each bucket its exact cent, not two cents to one and none to the other", () => {
    const instrument = (symbol: string): Instrument => ({
      symbol,
      name: symbol,
      instrument_type: "etf",
      current_price: 0.01,
      allocation_asset_class: { equity: 50, fixed_income: 50 },
      allocation_regions: { north_america: 50, europe: 50 },
      allocation_sectors: { technology: 50, treasury: 50 },
    });
    const portfolio: Portfolio = {
      user: {
        clerk_user_id: "u",
        display_name: "U",
        current_age: null,
        years_until_retirement: null,
        target_retirement_income: null,
        annual_contribution: null,
      },
      accounts: [
        {
          id: "a",
          name: "A",
          type: "taxable",
          purpose: null,
          cash_balance: 0,
          cash_interest: 0,
          positions: ["X", "Y"].map((symbol) => ({ symbol, quantity: 1, instrument: instrument(symbol) })),
        },
      ],
    };
    const v = valuePortfolio(portfolio);
    expect(v.allocation.asset_class).toEqual({ equity: 0.01, fixed_income: 0.01 });
    expect(v.allocation.region).toEqual({ europe: 0.01, north_america: 0.01 });
  });

  it("a third of $1.00 three times is $1.00 in total, each bucket 33 or 34 cents", () => {
    const v = valuePortfolio({
      user: {
        clerk_user_id: "u",
        display_name: "U",
        current_age: null,
        years_until_retirement: null,
        target_retirement_income: null,
        annual_contribution: null,
      },
      accounts: [
        {
          id: "a",
          name: "A",
          type: "taxable",
          purpose: null,
          cash_balance: 0,
          cash_interest: 0,
          positions: [
            {
              symbol: "T",
              quantity: 1,
              instrument: {
                symbol: "T",
                name: "T",
                instrument_type: "etf",
                current_price: 1,
                allocation_asset_class: { equity: 33.34, fixed_income: 33.33, cash: 33.33 },
                allocation_regions: {},
                allocation_sectors: {},
              },
            },
          ],
        },
      ],
    });
    expect(v.allocation.asset_class).toEqual({ equity: 0.34, cash: 0.33, fixed_income: 0.33 });
    expect(v.allocation.region).toEqual({ unclassified: 1 });
  });
});
