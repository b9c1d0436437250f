import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { factCheck } from "../../lib/agents/fact-check.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { type Valuation, valuePortfolio } from "../../lib/portfolio/valuation.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { testDb } from "../support/db.js";

describe("the fact-check of whole-dollar and whole-percent figures", () => {
  let db: PgliteDb;
  let portfolio: Portfolio;
  let v: Valuation;
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    portfolio = (await loadPortfolio(db, DEMO_USER_ID)) as Portfolio;
    v = valuePortfolio(portfolio);
  });
  afterAll(() => db.close());

  it("flags an invented round dollar amount and an invented whole percentage", () => {
    const report = "## Risk Assessment\n- You could lose $500,000 in a crash.\n- Stocks are 45% of it.";
    expect(factCheck(report, portfolio, v, [])).toEqual([
      { sentence: "- You could lose $500,000 in a crash.", problem: "$500,000 matches no computed amount" },
      { sentence: "- Stocks are 45% of it.", problem: "45% matches no computed percentage" },
    ]);
  });
});
