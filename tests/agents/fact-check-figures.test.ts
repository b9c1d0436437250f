import { describe, expect, it } from "vitest";
import { factCheck } from "../../lib/agents/fact-check.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";

// One account: $500 cash and 100 VTI at $100 ($10,500 in all, VTI 95.24% of it); a $60,000 retirement target.
const portfolio = (): Portfolio => ({
  user: {
    clerk_user_id: "u",
    display_name: null,
    current_age: 50,
    years_until_retirement: 15,
    target_retirement_income: 60_000,
    annual_contribution: null,
  },
  accounts: [
    {
      id: "a1",
      name: "Brokerage",
      type: "taxable",
      purpose: null,
      cash_balance: 500,
      cash_interest: 0,
      positions: [
        {
          symbol: "VTI",
          quantity: 100,
          instrument: {
            symbol: "VTI",
            name: "Vanguard Total Stock Market ETF",
            instrument_type: "etf",
            current_price: 100,
            allocation_asset_class: { equity: 100 },
            allocation_regions: { north_america: 100 },
            allocation_sectors: { technology: 100 },
          },
        },
      ],
    },
  ],
});

const KNOWN = ["VTI", "SPY", "AAPL"];
const check = (report: string) => {
  const p = portfolio();
  return factCheck(report, p, valuePortfolio(p), KNOWN).map((issue) => issue.problem);
};

describe("the fact-checker's figures", () => {
  it.each([
    "Your portfolio is worth $10,500.00, with $500 in cash and $10,000 invested.",
    "About $10.5k in all, or $0.01M.",
    "VTI trades at $100 and makes up 95.2% of the portfolio (95% rounded, 95.24% exactly).",
    "Cash is 4.8% of the total; invested assets are 100% equity and 0% outside North America.",
    "The 4% rule gives $420 a year, 0.7% of your $60,000 target.",
  ])("accepts %s", (sentence) => {
    expect(check(sentence)).toEqual([]);
  });

  it("allows only the rounding a figure shows", () => {
    expect(check("Worth $10,501 in all.")).toEqual(["$10,501 matches no computed amount"]);
    expect(check("Worth $10,500.60 in all.")).toEqual(["$10,500.60 matches no computed amount"]);
    expect(check("Worth $10.6k in all.")).toEqual(["$10.6k matches no computed amount"]);
    expect(check("Worth $11k in all.")).toEqual([]);
    expect(check("VTI is 95.3% of it.")).toEqual(["95.3% matches no computed percentage"]);
    expect(check("VTI is 96% of it.")).toEqual(["96% matches no computed percentage"]);
    expect(check("Cash is 5% of it.")).toEqual([]);
  });

  it("flags every bad figure of a sentence, and a known ticker not held, but not an unknown word", () => {
    expect(check("Sell AAPL for $1,234 and buy SPY at 12.5% of the ETF's USD value; keep VTI.")).toEqual([
      "$1,234 matches no computed amount",
      "12.5% matches no computed percentage",
      "AAPL is not held in this portfolio",
      "SPY is not held in this portfolio",
    ]);
  });

  it("skips the Market Context section only, up to the next section", () => {
    const report = [
      "## Market Context",
      "SPY rose 24.9% to $601.",
      "",
      "## Recommendations",
      "  Hold $123 more in SPY.  ",
    ].join("\n");
    const p = portfolio();
    expect(factCheck(report, p, valuePortfolio(p), KNOWN)).toEqual([
      { sentence: "Hold $123 more in SPY.", problem: "$123 matches no computed amount" },
      { sentence: "Hold $123 more in SPY.", problem: "SPY is not held in this portfolio" },
    ]);
  });
});

describe("the fact-checker's figures, each computed once", () => {
  // $2,907: a 401(k) with $100 cash and 10 VTI at $100, another with $200 cash and 32 VEA at $50 (half Europe, half
  // Asia), a taxable account with $7. No retirement target.
  const spread = (): Portfolio => {
    const p = portfolio();
    p.user.target_retirement_income = null;
    const vea = {
      ...p.accounts[0].positions[0].instrument,
      symbol: "VEA",
      current_price: 50,
      allocation_regions: { europe: 50, asia: 50 },
    };
    p.accounts = [
      {
        ...p.accounts[0],
        type: "401k",
        cash_balance: 100,
        positions: [{ ...p.accounts[0].positions[0], quantity: 10 }],
      },
      {
        ...p.accounts[0],
        id: "a2",
        name: "Old 401(k)",
        type: "401k",
        cash_balance: 200,
        positions: [{ symbol: "VEA", quantity: 32, instrument: vea }],
      },
      { ...p.accounts[0], id: "a3", name: "Taxable", cash_balance: 7, positions: [] },
    ];
    return p;
  };
  const checkSpread = (report: string) => {
    const p = spread();
    return factCheck(report, p, valuePortfolio(p), KNOWN).map((issue) => issue.problem);
  };

  it.each([
    "Your 401(k)s hold $2,900 between them; the old one $1,800, with $200 in cash.",
    "Europe and Asia hold $800 each; VEA costs $50.",
    "61.5% is outside North America; VEA is 55.0% of the portfolio; Europe is 27.5% of it.",
    "The old 401(k) is 61.9% of the total; about $2.9 k in all.",
  ])("accepts %s", (sentence) => {
    expect(checkSpread(sentence)).toEqual([]);
  });

  it("flags a long amount whole, a spaced percentage, and figures outside a section merely naming Market Context", () => {
    expect(checkSpread("Worth $2,907,000 in all.")).toEqual(["$2,907,000 matches no computed amount"]);
    expect(checkSpread("Cash is 12.3 % of it.")).toEqual(["12.3 % matches no computed percentage"]);
    expect(checkSpread("## Notes, not ## Market Context\nWorth $999.")).toEqual(["$999 matches no computed amount"]);
  });
});
