import { describe, expect, it } from "vitest";
import { factCheck } from "../../lib/agents/fact-check.js";
import { aggregatePortfolio } from "../../lib/portfolio/aggregate.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import type { RetirementOutlook } from "../../lib/retirement/outlook.js";
import { oneFundPortfolio } from "../support/one-fund-portfolio.js";

// One account: $500 cash and 100 VTI at $100 ($10,500 in all, VTI 95.24% of it); a $60,000 retirement target.
const portfolio = () => oneFundPortfolio();

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

describe("the fact-checker's figures from a retirement outlook", () => {
  // A retiree of 66: $5,000 cash and 100 VTI at $100 ($15,000); Social Security ($41,150) and a pension ($18,000) pay
  // all but $850 of a $60,000 target, so the first withdrawal is $1,000 grossed up for 15% tax. Two years of it
  // ($2,000) is a cash reserve; the $3,000 above it is idle cash.
  const retiree = (): Portfolio => {
    const p = portfolio();
    p.user.current_age = 66;
    p.user.years_until_retirement = 0;
    p.accounts[0].cash_balance = 5_000;
    return p;
  };
  const outlook = (change: Partial<RetirementOutlook> = {}): RetirementOutlook => ({
    units: "today's dollars",
    name: null,
    goals_set: true,
    defaults_used: [],
    situation: "retired",
    current_age: 66,
    retirement_age: 66,
    horizon_age: 95,
    horizon_extended: false,
    years_to_retirement: 0,
    retirement_years: 29,
    income_covers_target: false,
    empty: false,
    all_cash: false,
    has_fixed_income: true,
    income_full_age: 66,
    money: {
      current_value: 15_000,
      annual_contribution: 0,
      target_income: 60_000,
      income_at_retirement: 59_150,
      income_full: 59_150,
      first_year_withdrawal: 1_000,
      withdrawal_after_income: null,
      value_at_retirement: { p10: 14_210, p50: 15_020, p90: 15_870, expected: 15_110 },
      unclassified_value: 0,
    },
    success_rate: 96.5,
    withdrawal_rate: 6.7,
    withdrawal_rate_after_income: null,
    income_sources: [
      { name: "Social Security", annual_amount: 41_150, start_age: 66, inflation_linked: true },
      { name: "Pension", annual_amount: 18_000, start_age: 66, inflation_linked: false },
    ],
    depletion_age: { p10: null, p50: null },
    rates: { real_return: 3.9, volatility: 11.8, fee: 0.42, tax: 15, contribution_growth: 0 },
    fees_unknown: [],
    assumed: [],
    single_stocks: [],
    unpriced: [],
    paths: 1_000,
    seed: 42,
    verdict: "on_track",
    what_it_takes: null,
    ...change,
  });
  const checkRetiree = (report: string, o?: RetirementOutlook) => {
    const p = retiree();
    return factCheck(report, p, valuePortfolio(p), KNOWN, o);
  };

  it.each([
    ["the first withdrawal", "You will take $1,000 in the first year.", "$1,000"],
    ["the 10th percentile at retirement", "In a poor market you start with $14,210.", "$14,210"],
    ["the median at retirement", "Half of the markets leave $15,020 or more.", "$15,020"],
    ["the 90th percentile at retirement", "In a good one, $15,870.", "$15,870"],
    ["the expected value at retirement", "On average, $15.11k.", "$15.11k"],
    ["the income at retirement", "Your income pays $59,150 a year.", "$59,150"],
    ["the idle cash above the reserve", "Invest the $3,000 of cash above the reserve.", "$3,000"],
    ["the cash reserve", "Keep $2,000 as a reserve.", "$2,000"],
  ])("accepts %s only with the outlook, and quotes the sentence when it is missing", (_, sentence, figure) => {
    expect(checkRetiree(sentence, outlook())).toEqual([]);
    expect(checkRetiree(sentence)).toEqual([{ sentence, problem: `${figure} matches no computed amount` }]);
  });

  it.each([
    ["the success rate", "96.5% of markets pay every withdrawal.", "96.5%"],
    ["the withdrawal rate", "You withdraw 6.7% in the first year.", "6.7%"],
    ["the real return", "It assumes 3.9% a year after inflation.", "3.9%"],
    ["the volatility", "Returns vary by 11.8% a year.", "11.8%"],
    ["the fees", "Fees take 0.42% a year.", "0.42%"],
  ])("accepts %s only with the outlook, and quotes the sentence when it is missing", (_, sentence, figure) => {
    expect(checkRetiree(sentence, outlook())).toEqual([]);
    expect(checkRetiree(sentence)).toEqual([{ sentence, problem: `${figure} matches no computed percentage` }]);
  });

  it("reads a later withdrawal when there is one, and no withdrawal rate when there is none", () => {
    const later = outlook({
      withdrawal_rate: null,
      money: { ...outlook().money, withdrawal_after_income: 1_250 },
    });
    expect(checkRetiree("From 70 you take $1,250 a year.", later)).toEqual([]);
    expect(checkRetiree("You withdraw 6.7% in the first year.", later)).toEqual([
      { sentence: "You withdraw 6.7% in the first year.", problem: "6.7% matches no computed percentage" },
    ]);
  });
});

describe("the fact-checker's figures of breakdowns and folded holdings", () => {
  const fund = (symbol: string, quantity: number, price: number, assetClass: string) => ({
    symbol,
    quantity,
    instrument: {
      ...portfolio().accounts[0].positions[0].instrument,
      symbol,
      current_price: price,
      allocation_asset_class: { [assetClass]: 100 },
    },
  });
  const holding = (cash: number, positions: ReturnType<typeof fund>[]): Portfolio => {
    const p = portfolio();
    p.accounts[0] = { ...p.accounts[0], cash_balance: cash, positions };
    return p;
  };

  it("accepts a breakdown's shares as shown adding up to 100.0%, not a tenth beyond them", () => {
    // $1,000 each in equity, bonds and real estate: 33.3% each exactly, shown as 33.4% + 33.3% + 33.3%.
    const p = holding(0, [
      fund("VTI", 10, 100, "equity"),
      fund("BND", 10, 100, "fixed_income"),
      fund("VNQ", 10, 100, "real_estate"),
    ]);
    const check = (sentence: string) => factCheck(sentence, p, valuePortfolio(p), KNOWN);
    expect(check("Equity is 33.4%, bonds 33.3% and real estate 33.3%.")).toEqual([]);
    expect(check("Equity is 33.5% of it.")).toEqual([
      { sentence: "Equity is 33.5% of it.", problem: "33.5% matches no computed percentage" },
    ]);
  });

  it("accepts the total and weight of the holdings a large portfolio's aggregate folds into one line", () => {
    // $500 cash, VTI $10,000, BND $2,100, VXUS $1,200: keeping one holding folds $3,300 (23.9% of $13,800).
    const p = holding(500, [
      fund("VTI", 100, 100, "equity"),
      fund("BND", 30, 70, "fixed_income"),
      fund("VXUS", 20, 60, "equity"),
    ]);
    const folded = aggregatePortfolio(p, valuePortfolio(p), 1);
    const sentence = "Your other holdings are worth $3,300, 23.9% of the portfolio.";
    expect(factCheck(sentence, folded.portfolio, folded.valuation, KNOWN)).toEqual([]);
    expect(factCheck(sentence, p, valuePortfolio(p), KNOWN)).toEqual([
      { sentence, problem: "$3,300 matches no computed amount" },
      { sentence, problem: "23.9% matches no computed percentage" },
    ]);
  });
});
