import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factCheck } from "../../lib/agents/fact-check.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { type Valuation, valuePortfolio } from "../../lib/portfolio/valuation.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { testDb } from "../support/db.js";

describe("the deterministic fact-checker (the offline reviewer)", () => {
  let db: PgliteDb;
  let portfolio: Portfolio;
  let v: Valuation;
  const known = ["SPY", "QQQ", "BND", "VTI", "VEA", "AAPL", "TSLA"];
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    portfolio = (await loadPortfolio(db, DEMO_USER_ID)) as Portfolio;
    v = valuePortfolio(portfolio);
  });
  afterAll(() => db.close());

  it("accepts figures that match computed values within the rounding shown", () => {
    const spy = v.positions.find((p) => p.symbol === "SPY");
    const report = [
      `Total value $${v.total_value.toLocaleString("en-US", { minimumFractionDigits: 2 })} and $${Math.round(v.cash).toLocaleString("en-US")} in cash.`,
      `SPY is ${spy?.weight.toFixed(1)}% of the portfolio; a 4% withdrawal is the rule.`,
      `About $${(v.total_value / 1000).toFixed(1)}k in all.`,
    ].join("\n");
    expect(factCheck(report, portfolio, v, known)).toEqual([]);
  });

  it("flags an invented amount, a wrong percentage and a symbol not held, each with its sentence", () => {
    const report =
      "## Executive Summary\n- You hold $123,456.78 in total.\n- Equity is 97.3% of it.\n- Your AAPL shares did well.";
    expect(factCheck(report, portfolio, v, known)).toEqual([
      { sentence: "- You hold $123,456.78 in total.", problem: "$123,456.78 matches no computed amount" },
      { sentence: "- Equity is 97.3% of it.", problem: "97.3% matches no computed percentage" },
      { sentence: "- Your AAPL shares did well.", problem: "AAPL is not held in this portfolio" },
    ]);
  });

  it("leaves the Market Context section (figures from dated notes) to the reviewer", () => {
    const report = "## Market Context\nTSLA fell 12.5% to $99.99 last year.\n## Recommendations\n1. Sell TSLA.";
    expect(factCheck(report, portfolio, v, known)).toEqual([
      { sentence: "1. Sell TSLA.", problem: "TSLA is not held in this portfolio" },
    ]);
  });
});
