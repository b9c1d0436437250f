import { describe, expect, it } from "vitest";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import { renderRetirementMarkdown, retirementReadinessLines } from "../../lib/retirement/narrative.js";
import { projectPortfolio } from "../../lib/retirement/outlook.js";
import {
  fits,
  hasIncomeBridge,
  horizonNearThirtyYears,
  incomeSourcesNamed,
  onlyPermanentChangeHelps,
  RETIREMENT_RULES,
  unfitSentences,
} from "../../lib/retirement/rules.js";
import { PERSONAS, persona, SPY } from "./personas.js";

function outlookOf(p: Portfolio) {
  const { outlook, projection } = projectPortfolio(p, valuePortfolio(p), { paths: 1_000 });
  const text = [
    renderRetirementMarkdown(outlook, projection.assumptions.market, projection.assumptions.weights),
    ...retirementReadinessLines(outlook),
  ].join("\n");
  return { outlook, text };
}

const outlooks = Object.fromEntries(Object.entries(PERSONAS).map(([name, p]) => [name, outlookOf(p)]));
const of = (name: string) => outlooks[name]!;

describe.each(Object.keys(PERSONAS))("persona: %s", (name) => {
  it("says nothing a rule forbids for this person", () => {
    const { outlook, text } = of(name);
    expect(unfitSentences(text, outlook)).toEqual([]);
  });

  it("names every default it used", () => {
    const { outlook, text } = of(name);
    for (const a of outlook.assumed) expect(text).toContain(a.source);
  });

  it("has no zero-value or empty sentence", () => {
    const { text } = of(name);
    expect(text).not.toMatch(/\b0\.0% of the portfolio|\$0 a year of spending|\bNaN\b|undefined|null/);
  });
});

describe("each rule is a precondition that changes what is said", () => {
  it("contribution advice: a saver gets it, a retiree never does", () => {
    expect(fits("contribution_advice", of("saver").outlook)).toBe(true);
    expect(of("saver").text).toMatch(RETIREMENT_RULES.contribution_advice.pattern);
    for (const name of ["retiree 65", "retiree 75 at very low success", "retiree 85"]) {
      expect(fits("contribution_advice", of(name).outlook)).toBe(false);
      expect(of(name).text).not.toMatch(RETIREMENT_RULES.contribution_advice.pattern);
    }
  });

  it("flexible spending: offered to a retiree whose plan mostly works, not at 0% success", () => {
    expect(onlyPermanentChangeHelps(of("retiree 65").outlook)).toBe(false);
    expect(of("retiree 65").text).toMatch(/spend less after a bad year/);
    const low = of("retiree 75 at very low success");
    expect(low.outlook.success_rate).toBeLessThan(5);
    expect(low.text).not.toMatch(/bad years?/);
    expect(low.text).toContain("only a lasting change helps");
  });

  it("the 4% comparison: for a 30-year retirement, not a 10-year one", () => {
    expect(horizonNearThirtyYears(of("saver").outlook)).toBe(true);
    expect(of("saver").text).toContain("above the roughly 4% that has historically lasted 30 years");
    const short = of("retiree 85");
    expect(short.outlook.retirement_years).toBe(10);
    expect(short.outlook.withdrawal_rate!).toBeGreaterThan(4);
    expect(short.text).not.toMatch(/4% that has historically/);
  });

  it("withdrawal rates before and after income starts: a Social Security bridge is not the lifetime rate", () => {
    const { outlook, text } = of("near-retiree with a Social Security bridge and a pension");
    expect(hasIncomeBridge(outlook)).toBe(true);
    expect(outlook.withdrawal_rate_after_income).not.toBeNull();
    expect(outlook.withdrawal_rate_after_income!).toBeLessThan(outlook.withdrawal_rate!);
    expect(text).toContain(
      `That is ${outlook.withdrawal_rate!.toFixed(1)}% of the median value at retirement until Social Security starts, a bridge rather than the lifetime rate.`,
    );
    expect(text).toContain(
      `${outlook.withdrawal_rate_after_income!.toFixed(1)}% of the median value then: the lifetime rate`,
    );
    expect(hasIncomeBridge(of("retiree 65").outlook)).toBe(false);
  });

  it("income sources are named as given", () => {
    const bridge = of("near-retiree with a Social Security bridge and a pension");
    expect(incomeSourcesNamed(bridge.outlook)).toBe("Social Security and Acme pension");
    expect(bridge.text).toContain("less $12,000 from Acme pension");
    const retiree = of("retiree 65");
    expect(retiree.text).toContain("less $20,000 from Social Security,");
    for (const { text } of Object.values(outlooks)) expect(text).not.toMatch(/Social Security and pensions/);
  });

  it("nothing saved: never said to someone holding unpriced shares", () => {
    const unpriced = of("only unpriced holdings");
    expect(fits("nothing_saved", unpriced.outlook)).toBe(false);
    expect(unpriced.text).not.toMatch(/nothing (is )?saved/i);
    expect(unpriced.text).toContain("No price is known for NOPRC");
    expect(of("empty").text).toContain("Nothing is saved yet");
  });

  it("a reviewer finds the sentences a rule forbids, quoting them", () => {
    const low = of("retiree 75 at very low success").outlook;
    const findings = unfitSentences(
      "Keep contributing every year. Spend less in bad years. Social Security and pensions cover part of it.",
      low,
    );
    expect(findings.map((f) => f.rule).sort()).toEqual([
      "contribution_advice",
      "flexible_spending",
      "plural_income_sources",
    ]);
    expect(findings[0]!.sentence).toBe("Keep contributing every year.");
  });
});

describe("honest assumptions", () => {
  it("tax-deferred money without a rate gets the stated default, shown; a given rate is used as given", () => {
    const saver = of("saver").outlook;
    expect(saver.rates.tax).toBe(14);
    expect(saver.assumed).toEqual([expect.objectContaining({ assumption: "withdrawal_tax_rate", percent: 14 })]);
    const bridge = of("near-retiree with a Social Security bridge and a pension").outlook;
    expect(bridge.rates.tax).toBe(12);
    expect(bridge.assumed).toEqual([]);
    expect(of("off-track saver, no contributions").outlook.rates.tax).toBe(0); // nothing tax-deferred
  });

  it("an unknown fund is charged the stated default fee, never 0; a published ratio applies whoever added the fund", () => {
    const { outlook, text } = of("unknown fund and VTI");
    expect(outlook.fees_unknown).toEqual(["ZZFND"]); // VTI's ratio comes from the published table
    const zz = 2_000 * 50;
    const vti = 400 * 250;
    expect(outlook.rates.fee).toBeCloseTo(((zz * 0.0042 + vti * 0.0003) / (zz + vti)) * 100, 2);
    expect(text).toContain("fund fees of 0.42% a year for ZZFND");
    expect(text).not.toMatch(/No expense ratio is known for VTI/);
  });

  it("a single stock is modelled with single-stock volatility and its concentration is named", () => {
    const { outlook, text } = of("single stock");
    expect(outlook.single_stocks).toEqual([{ symbol: "AAPL", percent: 100 }]);
    expect(outlook.rates.volatility).toBeCloseTo(40, 0);
    expect(text).toContain("Concentration: AAPL is 100.0% of the portfolio");
    const broad = outlookOf(persona({ current_age: 45, years_until_retirement: 20 }, { taxable: [[SPY, 600]] }));
    expect(broad.outlook.rates.volatility).toBeCloseTo(19.6, 1);
    expect(outlook.success_rate).toBeLessThan(broad.outlook.success_rate);
  });
});

describe("the plan section", () => {
  it("renders the shared action plan when one is given, else the outlook's own rule-checked steps", () => {
    const p = PERSONAS["retiree 75 at very low success"];
    const { outlook, projection } = projectPortfolio(p, valuePortfolio(p), { paths: 1_000 });
    const render = (actions?: { text: string }[]) =>
      renderRetirementMarkdown(outlook, projection.assumptions.market, projection.assumptions.weights, actions)
        .split("## Action Plan")[1]
        .split("## Assumptions")[0]
        .trim();
    expect(render([{ text: "Spend less: first action." }, { text: "Second action." }])).toBe(
      "1. Spend less: first action.\n2. Second action.",
    );
    expect(render()).toMatch(
      /^1\. This year: make a lasting change; the portfolio pays \$[\d,]+ a year in 85% of markets\./,
    );
  });

  it("names profile defaults without quoting a $0", () => {
    const p = persona(
      { current_age: null, years_until_retirement: null, target_retirement_income: null, annual_contribution: null },
      { taxable: [[SPY, 100]] },
    );
    const { text } = outlookOf(p);
    expect(text).toContain(
      "Not given, so assumed: current age 40, retirement at 65, spending of $80,000 a year, no contributions.",
    );
  });
});
