import { describe, expect, it } from "vitest";
import type { Instrument, Portfolio, User } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import { renderRetirementMarkdown, retirementReadinessLines } from "../../lib/retirement/narrative.js";
import { projectPortfolio, type RetirementOutlook } from "../../lib/retirement/outlook.js";

const SPY: Instrument = {
  symbol: "SPY",
  name: "SPDR S&P 500 ETF Trust",
  instrument_type: "etf",
  current_price: 500,
  expense_ratio: 0.000945,
  allocation_asset_class: { equity: 100 },
  allocation_regions: { north_america: 100 },
  allocation_sectors: { technology: 100 },
};
const AGG: Instrument = {
  symbol: "AGG",
  name: "iShares Core U.S. Aggregate Bond ETF",
  instrument_type: "bond_fund",
  current_price: 100,
  expense_ratio: 0.0003,
  allocation_asset_class: { fixed_income: 100 },
  allocation_regions: { north_america: 100 },
  allocation_sectors: { treasury: 100 },
};

function portfolio(user: Partial<User>, { spy = 0, agg = 0, cash = 0 } = {}): Portfolio {
  const positions = [
    ...(spy ? [{ symbol: "SPY", quantity: spy, instrument: SPY }] : []),
    ...(agg ? [{ symbol: "AGG", quantity: agg, instrument: AGG }] : []),
  ];
  return {
    user: {
      clerk_user_id: "u",
      display_name: "Pat",
      current_age: 40,
      years_until_retirement: 25,
      target_retirement_income: 60_000,
      annual_contribution: 10_000,
      ...user,
    },
    accounts: [
      {
        id: "a",
        name: "IRA",
        type: "traditional_ira",
        purpose: null,
        cash_balance: cash,
        cash_interest: 0.04,
        positions,
      },
    ],
  };
}

const CASES: Record<string, Portfolio> = {
  saver: portfolio({}, { spy: 600, agg: 1_000 }),
  retiree: portfolio(
    { current_age: 65, years_until_retirement: 0, target_retirement_income: 40_000, annual_contribution: 0 },
    { spy: 1_200, agg: 4_000 },
  ),
  "age 90 retiring in 10": portfolio(
    { current_age: 90, years_until_retirement: 10, target_retirement_income: 30_000 },
    { spy: 400, agg: 1_000 },
  ),
  "all cash": portfolio({ current_age: 55, years_until_retirement: 10 }, { cash: 200_000 }),
  empty: portfolio({ annual_contribution: 0 }),
  "target 0": portfolio({ target_retirement_income: 0 }, { spy: 100 }),
  "Social Security covers the target": portfolio(
    {
      current_age: 62,
      years_until_retirement: 5,
      target_retirement_income: 30_000,
      retirement_plan: {
        income: [{ name: "Social Security", annual_amount: 32_000, start_age: 67 }],
        withdrawal_tax_rate: 0.15,
      },
    },
    { spy: 200, agg: 500 },
  ),
};

function outlookOf(p: Portfolio) {
  const { outlook, projection } = projectPortfolio(p, valuePortfolio(p), { paths: 2_000 });
  const text = [
    renderRetirementMarkdown(outlook, projection.assumptions.market, projection.assumptions.weights),
    ...retirementReadinessLines(outlook),
  ].join("\n");
  return { outlook, projection, text };
}

function numbersIn(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (value && typeof value === "object") return Object.values(value).flatMap(numbersIn);
  return [];
}

const WRONG = [
  /\$0 (a year|withdrawal|yearly)/,
  /withdrawal of \$0/,
  /\bfor 0 years\b/,
  /from age (\d+) to (age )?\1\b/,
  /adding \$[\d,]+ a year[^.]*for 0/,
  /\bNaN\b|undefined|null|Infinity/,
  /4% of the median value at retirement, as the first year's income/,
  /by age (\d+); in half of them by age \1\b/,
];

describe.each(Object.entries(CASES))("the outlook for %s", (_, p) => {
  const { outlook, text } = outlookOf(p);

  it("has no wrong sentence", () => {
    for (const pattern of WRONG) expect(text, String(pattern)).not.toMatch(pattern);
  });

  it("shows only dollar figures that are fields of the outlook", () => {
    const fields = new Set([...numbersIn(outlook.money), ...numbersIn(outlook.what_it_takes)]);
    const shown = [...text.matchAll(/\$([\d,]+(?:\.\d+)?)/g)].map((m) => Number(m[1].replaceAll(",", "")));
    for (const figure of shown) expect(fields.has(figure), `$${figure} is not an outlook field`).toBe(true);
  });

  it("states the units", () => {
    expect(text).toContain("today's dollars");
  });
});

describe("situations", () => {
  const of = (name: string): RetirementOutlook => outlookOf(CASES[name]).outlook;

  it("a retiree withdraws from now, with no contribution or saving years", () => {
    const { outlook, text } = outlookOf(CASES.retiree);
    expect(outlook).toMatchObject({ situation: "retired", years_to_retirement: 0, retirement_years: 30 });
    // No withdrawal tax rate is given for the traditional IRA: the stated default (14%) grosses the $40,000 up.
    expect(outlook.money.first_year_withdrawal).toBe(Math.floor(40_000 / (1 - 0.14) + 0.5));
    expect(outlook.assumed.map((a) => a.assumption)).toEqual(["withdrawal_tax_rate"]);
    expect(text).toContain("a 14% effective income tax on withdrawals from the tax-deferred accounts (IRA)");
    expect(text).toContain("from now (age 65) to age 95");
    expect(text).not.toMatch(/contribution|Ten years before/);
  });

  it("extends the horizon for a 90-year-old retiring at 100, and says so", () => {
    const { outlook, text } = outlookOf(CASES["age 90 retiring in 10"]);
    expect(outlook).toMatchObject({
      retirement_age: 100,
      horizon_age: 105,
      horizon_extended: true,
      retirement_years: 5,
    });
    expect(text).toContain("runs to age 105 instead of the usual 95 because retirement starts at 100");
  });

  it("all cash talks about inflation, not sequence risk", () => {
    const { outlook, text } = outlookOf(CASES["all cash"]);
    expect(outlook.all_cash).toBe(true);
    expect(text).toContain("everything is in cash");
    expect(text).not.toMatch(/sequence of returns/i);
    expect(text).not.toMatch(/review the stock\/bond mix|rebalance to the target mix/);
    expect(text).toContain("choose a stock/bond mix for it; cash earns");
  });

  it("an empty portfolio says nothing is saved", () => {
    const { outlook, text } = outlookOf(CASES.empty);
    expect(outlook.empty).toBe(true);
    expect(text).not.toMatch(/the portfolio provides/);
    expect(text).toMatch(/the portfolio cannot pay any of the/);
    expect(outlook.success_rate).toBe(0);
    expect(text).toContain("Nothing is saved yet");
    expect(text).not.toMatch(/rebalance to the target mix/);
  });

  it("a target of 0 has nothing to test", () => {
    expect(of("target 0").verdict).toBe("no_target");
    expect(outlookOf(CASES["target 0"]).text).toContain("No retirement income target is set");
  });

  it("Social Security covering the target needs no withdrawals", () => {
    const { outlook, text } = outlookOf(CASES["Social Security covers the target"]);
    expect(outlook).toMatchObject({ verdict: "covered_by_income", income_covers_target: true });
    expect(outlook.money.first_year_withdrawal).toBe(0);
    expect(text).toContain("Social Security ($32,000 a year at 67) covers the whole $30,000 target");
    expect(text).not.toMatch(/Social Security and pensions/);
  });

  it("a saver gets the median in today's dollars and fees from expense ratios", () => {
    const { outlook, projection } = outlookOf(CASES.saver);
    expect(outlook.money.value_at_retirement.p50).toBe(Math.floor(projection.value_at_retirement.p50 + 0.5));
    expect(outlook.rates.fee).toBeCloseTo(((600 * 500 * 0.000945 + 1_000 * 100 * 0.0003) / 400_000) * 100, 2);
    expect(outlook.fees_unknown).toEqual([]);
  });
});
