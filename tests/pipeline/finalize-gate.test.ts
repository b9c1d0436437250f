import { describe, expect, it } from "vitest";
import { type GateInput, MIN_CHARTS, qualityGate, REQUIRED_REPORT_SECTIONS } from "../../lib/pipeline/quality-gate.js";
import { aggregatePortfolio } from "../../lib/portfolio/aggregate.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import type { RetirementOutlook } from "../../lib/retirement/outlook.js";

// The gate Finalize applies to a job whose specialists ran (lib/pipeline/quality-gate.ts): whether the job is called
// completed, and each reason its reviewer reads when it is not. Hand-built outputs, no database.

// Pat's one account, "Roth 2040": $500 cash and 100 of the "Total Market 100% Fund" (TMF) at $100: $10,500 in all,
// TMF 95.2% of it.
const holdings = (): Portfolio => ({
  user: {
    clerk_user_id: "u",
    display_name: "Pat",
    current_age: 50,
    years_until_retirement: 15,
    target_retirement_income: 60_000,
    annual_contribution: null,
  },
  accounts: [
    {
      id: "a1",
      name: "Roth 2040",
      type: "roth_ira",
      purpose: null,
      cash_balance: 500,
      cash_interest: 0,
      positions: [
        {
          symbol: "TMF",
          quantity: 100,
          instrument: {
            symbol: "TMF",
            name: "Total Market 100% Fund",
            instrument_type: "etf",
            current_price: 100,
            allocation_asset_class: { equity: 100 },
            allocation_regions: { north_america: 100 },
            allocation_sectors: { diversified: 100 },
          },
        },
      ],
    },
  ],
});
const portfolio = () => {
  const p = holdings();
  return aggregatePortfolio(p, valuePortfolio(p));
};

const sections = (body = "You hold $10,500, 95.2% of it in TMF.") =>
  REQUIRED_REPORT_SECTIONS.map((section) => `## ${section}\n\n${body}`).join("\n\n");
const reviewed = (score: number) => ({ status: "reviewed", score, issues: [] });
const chart = (title = "Allocation", description = "How the money is split.") => ({
  title,
  type: "pie",
  description,
  data: [{ name: "Equity", value: 10_000, color: "#3B82F6" }],
});
const charts = (count = MIN_CHARTS) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`c${i}`, chart()]));
/** The stored outlook of a saver of 50 retiring at 65, whose plan succeeds in `success_rate` percent of markets. */
const retirementOutlook = (success_rate: number): RetirementOutlook => ({
  units: "today's dollars",
  name: "Pat",
  goals_set: true,
  defaults_used: [],
  situation: "saving",
  current_age: 50,
  retirement_age: 65,
  horizon_age: 95,
  horizon_extended: false,
  years_to_retirement: 15,
  retirement_years: 30,
  income_covers_target: false,
  empty: false,
  all_cash: false,
  has_fixed_income: false,
  income_full_age: null,
  money: {
    current_value: 10_500,
    annual_contribution: 0,
    target_income: 60_000,
    income_at_retirement: 0,
    income_full: 0,
    first_year_withdrawal: 69_767,
    withdrawal_after_income: null,
    value_at_retirement: { p10: 14_020, p50: 19_830, p90: 27_410, expected: 20_660 },
    unclassified_value: 0,
  },
  success_rate,
  withdrawal_rate: null,
  withdrawal_rate_after_income: null,
  income_sources: [],
  depletion_age: { p10: 66, p50: 66 },
  rates: { real_return: 4.1, volatility: 15.6, fee: 0.03, tax: 14, contribution_growth: 0 },
  fees_unknown: [],
  assumed: [],
  single_stocks: [],
  unpriced: [],
  paths: 1_000,
  seed: 42,
  verdict: "off_track",
  what_it_takes: null,
});

const outlook = (
  success_rate: number | undefined = 72.4,
  analysis = "You can spend $40,000 a year: 72.4% of markets pay it.",
) => ({
  outlook: { ...retirementOutlook(0), success_rate },
  analysis,
});

/** Every specialist chosen, each with a sound output. */
const sound = (change: Partial<GateInput> = {}): GateInput => ({
  chosen: ["reporter", "charter", "retirement"],
  portfolio: portfolio(),
  report: { content: sections(), review: reviewed(85) },
  charts: charts(),
  retirement: outlook(),
  tagging: null,
  reviewThreshold: 70,
  ...change,
});
const reasons = (change: Partial<GateInput>) => qualityGate(sound(change)).reasons;

describe("the quality gate Finalize applies", () => {
  it("passes sound outputs of every chosen specialist, and checks only the chosen ones", () => {
    expect(qualityGate(sound())).toEqual({ passed: true, reasons: [] });
    expect(qualityGate(sound({ chosen: [], report: null, charts: null, retirement: null, portfolio: null }))).toEqual({
      passed: true,
      reasons: [],
    });
    expect(qualityGate(sound({ chosen: ["charter"], charts: {} }))).toEqual({
      passed: false,
      reasons: [`charts: 0 valid chart(s), at least ${MIN_CHARTS} needed`],
    });
  });

  it.each([
    ["no report", null],
    ["a report without text", { review: reviewed(85) }],
    ["a report whose text is not text", { content: ["## Executive Summary"], review: reviewed(85) }],
    ["a list instead of a report", [sections()]],
  ])("calls %s missing, and nothing else about it", (_, report) => {
    expect(reasons({ report })).toEqual(["report: missing"]);
  });

  it("finds each section under any heading style, and names the ones missing", () => {
    const styled = [
      "# **1. Executive Summary**",
      "   ### Portfolio Composition ###",
      "## ii) Diversification Analysis",
      "## b. Risk Assessment",
      "#### __Retirement Readiness__ and income",
      "###### `Recommendations`",
    ].map((heading) => `${heading}\nYou hold $10,500, 95.2% of it in TMF.`);
    expect(reasons({ report: { content: styled.join("\n"), review: reviewed(85) } })).toEqual([]);
    const notHeadings = sections()
      .replace("## Risk Assessment", "    ## Risk Assessment")
      .replace("## Recommendations", "####### Recommendations");
    expect(reasons({ report: { content: notHeadings, review: reviewed(85) } })).toEqual([
      "report: missing section(s) Risk Assessment, Recommendations",
    ]);
  });

  it.each([
    ["no dollar amount", "TMF is 95.2% of it."],
    ["no percentage", "You hold $10,500."],
    ["a percent sign without a number", "You hold $10,500, most of it (%) in TMF."],
  ])("requires the report to quote dollars and percentages: %s", (_, body) => {
    expect(reasons({ report: { content: sections(body), review: reviewed(85) } })).toEqual([
      "report: quotes no dollar amounts or percentages",
    ]);
  });

  it("accepts spaced figures", () => {
    expect(
      reasons({ report: { content: sections("You hold $ 10,500, 95.2 % of it in TMF."), review: reviewed(85) } }),
    ).toEqual([]);
  });

  it("counts the figures the fact-check rejects, quoting the first, but not the user's own names", () => {
    const content = sections("You hold $10,500; $123,456 is abroad and 12.5% in bonds.");
    expect(reasons({ report: { content, review: reviewed(85) } })).toEqual([
      // Two wrong figures in each of the six sections.
      "report: the fact-check rejects 12 figure(s), e.g. $123,456 matches no computed amount",
    ]);
    // "Total Market 100% Fund" and "Roth 2040" are names, as given or as the report escapes them.
    const named = sections("Pat's Roth 2040 holds $10,500 of the Total Market 100% Fund, 95.2% of it.");
    expect(reasons({ report: { content: named, review: reviewed(85) } })).toEqual([]);
    // Without the snapshot's aggregate there is nothing to check the figures against.
    expect(reasons({ portfolio: null, report: { content, review: reviewed(85) } })).toEqual([]);
  });

  it("checks the report's retirement figures against the stored outlook", () => {
    const content = sections("You hold $10,500, 95.2% of it in TMF; 88.8% of markets pay your spending.");
    const findings = (retirement: unknown) =>
      reasons({ chosen: ["reporter"], report: { content, review: reviewed(85) }, retirement });
    expect(findings({ outlook: retirementOutlook(88.8) })).toEqual([]);
    expect(findings({ outlook: retirementOutlook(72.4) })).toEqual([
      "report: the fact-check rejects 6 figure(s), e.g. 88.8% matches no computed percentage",
    ]);
  });

  it("requires a review at or above the threshold, saying why not", () => {
    const withReview = (review: unknown) => reasons({ report: { content: sections(), review } });
    expect(withReview(reviewed(70))).toEqual([]);
    expect(withReview(reviewed(69))).toEqual(["report: review score 69 is below 70"]);
    expect(withReview({ status: "reviewed", score: "85" })).toEqual(["report: review score 85 is below 70"]);
    expect(withReview({ ...reviewed(50), revised: true })).toEqual([
      "report: review score 50 is below 70 (of the first draft; the revision was fact-checked, not scored again)",
    ]);
    expect(withReview({ status: "error", error: "Reviewer timed out" })).toEqual([
      "report: not reviewed (Reviewer timed out)",
    ]);
    expect(withReview(undefined)).toEqual(["report: not reviewed (no review)"]);
    expect(withReview({ status: "skipped" })).toEqual(["report: not reviewed (no review)"]);
  });

  it(`counts only valid charts, and needs ${MIN_CHARTS}`, () => {
    const invalid = { ...chart(), data: [] };
    expect(reasons({ charts: { ...charts(MIN_CHARTS - 1), bad: invalid } })).toEqual([
      `charts: ${MIN_CHARTS - 1} valid chart(s), at least ${MIN_CHARTS} needed`,
    ]);
    expect(reasons({ charts: [chart(), chart(), chart(), chart()] })).toEqual([
      `charts: 0 valid chart(s), at least ${MIN_CHARTS} needed`,
    ]);
    expect(reasons({ charts: null })).toEqual([`charts: 0 valid chart(s), at least ${MIN_CHARTS} needed`]);
  });

  it("requires an outlook whose text quotes its success rate, as given or rounded", () => {
    expect(reasons({ retirement: null })).toEqual(["retirement outlook: missing"]);
    expect(reasons({ retirement: { analysis: "Fine." } })).toEqual(["retirement outlook: missing"]);
    expect(reasons({ retirement: outlook(72.4, "Spend $40,000 a year: about 72% of markets pay it.") })).toEqual([]);
    expect(reasons({ retirement: outlook(72, "Spend $40,000 a year: 72.0% of markets pay it.") })).toEqual([]);
    expect(reasons({ retirement: outlook(72.4, "Spend $40,000 a year: 73% of markets pay it.") })).toEqual([
      "retirement outlook: the text does not quote its success rate (72.4%)",
    ]);
    expect(
      reasons({
        chosen: ["retirement"],
        retirement: {
          outlook: { ...retirementOutlook(0), success_rate: undefined },
          analysis: "Spend $40,000 a year: 72.4% of markets pay it.",
        },
      }),
    ).toEqual(["retirement outlook: no success rate"]);
    // With the reporter chosen too, the report's fact-check does not stumble on it: one more reason, no exception.
    expect(
      reasons({
        retirement: {
          outlook: { ...retirementOutlook(0), success_rate: undefined },
          analysis: "Spend $40,000 a year: 72.4% of markets pay it.",
        },
      }),
    ).toContain("retirement outlook: no success rate");
    expect(reasons({ retirement: outlook(72.4, "72.4% of markets pay your spending.") })).toEqual([
      "retirement outlook: the text quotes none of its numbers",
    ]);
    expect(reasons({ retirement: outlook(72.4, "Spend $40,000 a year.") })).toEqual([
      "retirement outlook: the text quotes none of its numbers",
    ]);
  });

  it("accepts an empty portfolio's outlook with any text, and names one without", () => {
    const empty = (analysis: string) => ({ outlook: { ...retirementOutlook(0), empty: true }, analysis });
    expect(reasons({ retirement: empty("Add holdings to see an outlook.") })).toEqual([]);
    expect(reasons({ retirement: empty("") })).toEqual(["retirement outlook: no text"]);
  });

  it("requires the report to say which symbols could not be classified, on the line naming each", () => {
    const tagging = { failed: [{ symbol: "ZZQ" }, { symbol: "ZZ" }] };
    const said = (line: string) =>
      reasons({ tagging, report: { content: `${sections()}\n${line}`, review: reviewed(85) } });
    expect(said("ZZQ and ZZ could not be CLASSIFIED.")).toEqual([]);
    expect(said("Tagging failed for ZZQ and ZZ.")).toEqual([]);
    // "ZZQ" does not name "ZZ"; a line that only lists a symbol does not explain it.
    expect(said("ZZQ could not be classified.\nZZ: $0")).toEqual([
      "tagging: ZZ could not be classified and the report does not say so",
    ]);
    expect(said("")).toEqual(["tagging: ZZQ, ZZ could not be classified and the report does not say so"]);
  });

  it("counts the failures past those listed, and names at most ten symbols", () => {
    const symbols = Array.from({ length: 12 }, (_, i) => ({ symbol: `ZZ${String.fromCharCode(65 + i)}` }));
    expect(reasons({ tagging: { failed: symbols.slice(0, 2), failed_count: 5 } })).toEqual([
      "tagging: 5 symbols (ZZA, ZZB and 3 more) could not be classified and the report does not say so",
    ]);
    expect(reasons({ tagging: { failed: symbols } })).toEqual([
      "tagging: 12 symbols (ZZA, ZZB, ZZC, ZZD, ZZE, ZZF, ZZG, ZZH, ZZI, ZZJ and 2 more) could not be classified and the report does not say so",
    ]);
    expect(reasons({ tagging: { failed: symbols.slice(0, 10), failed_count: 10 } })).toEqual([
      "tagging: ZZA, ZZB, ZZC, ZZD, ZZE, ZZF, ZZG, ZZH, ZZI, ZZJ could not be classified and the report does not say so",
    ]);
    expect(reasons({ tagging: { failed: [], failed_count: 0 } })).toEqual([]);
  });

  it("names links to sources not allowed, from any model text, each once and at most three", () => {
    const report = {
      content: `${sections()}\nSee https://a.example/x and [this](https://investor.gov/y).`,
      review: reviewed(85),
    };
    expect(reasons({ report })).toEqual([
      "links: model text links to https://a.example/x (not allow-listed; shown as text)",
    ]);
    expect(
      reasons({
        report,
        retirement: outlook(72.4, "Spend $40,000 a year: 72.4% of markets pay it (www.b.example)."),
        charts: {
          ...charts(),
          titled: chart("See https://c.example"),
          described: chart("Mix", "From https://d.example"),
        },
      }),
    ).toEqual([
      "links: model text links to https://a.example/x, www.b.example, https://c.example (not allow-listed; shown as text)",
    ]);
    const twice = { content: `${sections()}\nhttps://a.example/x, again: https://a.example/x`, review: reviewed(85) };
    expect(reasons({ report: twice, charts: { ...charts(), d: chart("Mix", "From https://d.example") } })).toEqual([
      "links: model text links to https://a.example/x, https://d.example (not allow-listed; shown as text)",
    ]);
  });
});
