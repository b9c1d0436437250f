import { assistantMessage, ScriptedModel } from "@openai/agents/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionPlan, type ProposedAction, rankActions } from "../../lib/advice/actions.js";
import { adviceFacts } from "../../lib/advice/facts.js";
import { SUITABILITY_RULES, unfitReasons } from "../../lib/advice/rules.js";
import type { AgentDeps } from "../../lib/agents/common.js";
import { cappedScore, factFindings, reviewReport } from "../../lib/agents/reviewer.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import type { Instrument, Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import { projectPortfolio } from "../../lib/retirement/outlook.js";
import { SEED_INSTRUMENTS } from "../../lib/seed/instruments.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";

const SEEDED = new Map(SEED_INSTRUMENTS.map((i) => [i.symbol, i]));
const ACME: Instrument = {
  symbol: "ACME",
  name: "Acme Corporation",
  instrument_type: "stock",
  current_price: 100,
  allocation_asset_class: { equity: 100 },
  allocation_regions: { north_america: 100 },
  allocation_sectors: { industrials: 100 },
};

interface Person {
  age: number;
  years: number;
  target?: number;
  contribution?: number;
  cash: number;
  holdings?: Record<string, number>;
  unpriced?: string[];
  income?: { name: string; annual_amount: number; start_age: number }[];
}

/** An in-memory portfolio of seeded instruments (and ACME, a single stock). */
function portfolioOf(p: Person): Portfolio {
  const instrument = (symbol: string): Instrument => {
    if (symbol === "ACME") return ACME;
    const seeded = SEEDED.get(symbol);
    if (seeded) return { ...seeded, allocation_asset_class: seeded.allocation_asset_class } as Instrument;
    return {
      symbol,
      name: symbol,
      instrument_type: null,
      current_price: null,
      allocation_asset_class: {},
      allocation_regions: {},
      allocation_sectors: {},
    };
  };
  const positions = [
    ...Object.entries(p.holdings ?? {}).map(([symbol, quantity]) => ({
      symbol,
      quantity,
      instrument: instrument(symbol),
    })),
    ...(p.unpriced ?? []).map((symbol) => ({ symbol, quantity: 300, instrument: instrument(symbol) })),
  ];
  return {
    user: {
      clerk_user_id: "test",
      display_name: "Test",
      current_age: p.age,
      years_until_retirement: p.years,
      target_retirement_income: p.target ?? 60_000,
      annual_contribution: p.contribution ?? 0,
      retirement_plan: p.income ? { income: p.income } : null,
    },
    accounts: [
      {
        id: "a1",
        name: "Account",
        type: "traditional_ira",
        purpose: null,
        cash_balance: p.cash,
        cash_interest: 0,
        positions,
      },
    ],
  };
}

function factsOf(p: Person) {
  const portfolio = portfolioOf(p);
  const valuation = valuePortfolio(portfolio);
  const { outlook } = projectPortfolio(portfolio, valuation, { paths: 2000 });
  return { portfolio, valuation, outlook, facts: adviceFacts(portfolio, valuation, outlook) };
}

const rulesBroken = (sentence: string, p: Person) => unfitReasons(sentence, factsOf(p).facts).map((r) => r.rule);

const SAVER: Person = { age: 35, years: 30, contribution: 15_000, cash: 5_000, holdings: { SPY: 100, BND: 300 } };
const RETIREE: Person = {
  age: 70,
  years: 0,
  target: 50_000,
  cash: 20_000,
  holdings: { SPY: 600, BND: 3000 },
  income: [{ name: "Social Security", annual_amount: 25_000, start_age: 67 }],
};
/** 85, one year of spending ($45,000) in cash: under two years of net withdrawals. */
const ELDER: Person = {
  age: 85,
  years: 0,
  target: 45_000,
  cash: 40_000,
  holdings: { BND: 1500, SPY: 150 },
  income: [{ name: "Social Security", annual_amount: 20_000, start_age: 66 }],
};
const ALL_CASH: Person = { age: 30, years: 35, contribution: 12_000, cash: 100_000 };
const EMPTY: Person = { age: 28, years: 37, cash: 0 };
const UNPRICED: Person = { age: 50, years: 15, cash: 0, unpriced: ["QWRTY"] };
const OFF_TRACK: Person = { age: 40, years: 25, target: 90_000, cash: 8_000, holdings: { SPY: 110 } };
const BRIDGE: Person = {
  age: 60,
  years: 2,
  target: 70_000,
  cash: 10_000,
  holdings: { SPY: 500, BND: 3000 },
  income: [{ name: "Social Security", annual_amount: 30_000, start_age: 67 }],
};

describe("suitability rules: each advice sentence has its precondition, checked in one place", () => {
  it("contribution advice needs earned-income years ahead", () => {
    const sentence = "Review contributions yearly and raise them with income.";
    expect(rulesBroken(sentence, RETIREE)).toContain("contribution_needs_earned_income");
    expect(rulesBroken(sentence, SAVER)).toEqual([]);
  });

  it("a multi-asset fund (AOR) is diversification, not a single stock or sector bet; a single stock is a bet", () => {
    const aor = { ...SAVER, holdings: { AOR: 5000 } };
    expect(rulesBroken("Reduce concentration in AOR (99.0%): it is a single stock or sector bet.", aor)).toEqual([
      "broad_fund_is_not_a_bet",
    ]);
    const stock = { ...SAVER, holdings: { ACME: 5000 } };
    expect(rulesBroken("Reduce concentration in ACME: it is a single stock.", stock)).toEqual([]);
  });

  it("cash up to two years of net withdrawals is a retiree's reserve, not idle", () => {
    const sentence = "Put idle cash to work: 18.0% of the portfolio sits in cash.";
    expect(rulesBroken(sentence, ELDER)).toContain("cash_reserve_is_not_idle");
    expect(rulesBroken(sentence, { ...SAVER, cash: 60_000 })).toEqual([]);
  });

  it("an all-cash or empty portfolio is asked to choose a mix, never to rebalance", () => {
    const sentence = "Rebalance once a year back to target weights.";
    expect(rulesBroken(sentence, ALL_CASH)).toContain("rebalance_needs_a_mix");
    expect(rulesBroken(sentence, EMPTY)).toContain("rebalance_needs_a_mix");
    expect(rulesBroken(sentence, SAVER)).toEqual([]);
    expect(rulesBroken("Returns are rebalanced yearly.", ALL_CASH)).toEqual([]);
  });

  it("a zero share is never a sentence", () => {
    expect(rulesBroken("Concentration: the largest holding, QWRTY, is 0.0% of the portfolio.", UNPRICED)).toContain(
      "zero_value_sentence",
    );
    expect(rulesBroken("SPY is 20.0% of the portfolio.", SAVER)).toEqual([]);
  });

  it("holding unpriced shares is not 'nothing saved'", () => {
    expect(rulesBroken("Nothing is saved yet and no contributions are planned.", UNPRICED)).toContain(
      "unpriced_is_not_nothing",
    );
    expect(rulesBroken("Nothing is saved yet and no contributions are planned.", EMPTY)).toEqual([]);
  });

  it("the 4% rule's 30 years is compared only with a retirement near 30 years", () => {
    const sentence = "That is 6.0% of the median value, above the roughly 4% that has historically lasted 30 years.";
    expect(rulesBroken(sentence, ELDER)).toContain("four_percent_comparison");
    expect(rulesBroken(sentence, SAVER)).toEqual([]);
  });

  it("at low success, spending less in bad years is not offered", () => {
    const sentence = "Spending less in bad years closes it.";
    expect(rulesBroken(sentence, OFF_TRACK)).toContain("flexible_spending");
    expect(rulesBroken(sentence, SAVER)).toEqual([]);
  });

  it("income sources are named as given", () => {
    const sentence = "From age 67, Social Security and pensions pay $25,000 a year.";
    expect(rulesBroken(sentence, RETIREE)).toContain("plural_income_sources");
    const both = {
      ...RETIREE,
      income: [...(RETIREE.income ?? []), { name: "Pension", annual_amount: 5_000, start_age: 65 }],
    };
    expect(rulesBroken(sentence, both)).toEqual([]);
  });

  it("a withdrawal rate during a bridge to Social Security is not the lifetime rate", () => {
    const sentence = "The withdrawal rate is 9.0% of the median value.";
    expect(rulesBroken(sentence, BRIDGE)).toContain("lifetime_withdrawal_rate");
    expect(rulesBroken(sentence, { ...BRIDGE, income: [] })).toEqual([]);
  });

  it("every rule is exercised above", () => {
    expect(SUITABILITY_RULES.map((r) => r.id).sort()).toEqual(
      [
        "broad_fund_is_not_a_bet",
        "cash_reserve_is_not_idle",
        "contribution_needs_earned_income",
        "flexible_spending",
        "four_percent_comparison",
        "lifetime_withdrawal_rate",
        "plural_income_sources",
        "rebalance_needs_a_mix",
        "unpriced_is_not_nothing",
        "zero_value_sentence",
      ].sort(),
    );
  });
});

describe("the action plan applies the same rules", () => {
  it("drops a proposal a rule refuses, and keeps it where it fits", () => {
    const proposal: ProposedAction = {
      kind: "rebalance",
      text: "Rebalance once a year back to your target mix.",
      source: "reporter",
      urgency: 4,
      facts: {},
      effect: null,
    };
    expect(rankActions([proposal], factsOf(ALL_CASH).facts)).toEqual([]);
    expect(rankActions([proposal], factsOf(SAVER).facts).map((a) => a.kind)).toEqual(["rebalance"]);
  });

  it("ranks an off-track retirement's measured levers first", () => {
    const { portfolio, valuation, outlook } = factsOf(OFF_TRACK);
    const plan = actionPlan(portfolio, valuation, outlook);
    expect(plan[0].source).toBe("retirement");
    expect(plan[0].effect).toEqual({ metric: "success_rate", from: outlook.success_rate, to: 85 });
  });
});

describe("the reviewer checks fitness as well as figures, for any model's report", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
  });
  afterAll(() => db.close());

  const unfitReport = "## Recommendations\n1. Review contributions yearly and raise them with income.";

  it("reports each broken rule as a finding quoting the sentence", () => {
    const { portfolio, valuation, outlook } = factsOf(RETIREE);
    expect(factFindings(unfitReport, portfolio, valuation, outlook)).toEqual([
      {
        sentence: "Review contributions yearly and raise them with income.",
        problem: expect.stringMatching(/^Unsuitable \(contribution_needs_earned_income\)/),
      },
    ]);
  });

  it("quoted market notes are not advice: the Market Context section is not checked for suitability", () => {
    const { portfolio, valuation, outlook } = factsOf(ALL_CASH);
    const report = "## Market Context\n- Core bonds are a source of money to rebalance into stocks after a crash.";
    expect(factFindings(report, portfolio, valuation, outlook)).toEqual([]);
  });

  it("a real model that scores 100 with no issues is capped below 100 by the deterministic findings", async () => {
    const { portfolio, valuation, outlook } = factsOf(RETIREE);
    const model = new ScriptedModel([[assistantMessage(JSON.stringify({ score: 100, issues: [] }))]]);
    const withModel: AgentDeps = { ...deps, modelFor: (agent) => (agent === "reviewer" ? model : undefined) };
    const { review } = await reviewReport(withModel, "job-1", unfitReport, portfolio, valuation, outlook);
    expect(review).toMatchObject({ status: "reviewed", score: 85 });
    expect(review.status === "reviewed" && review.issues.map((i) => i.sentence)).toEqual([
      "Review contributions yearly and raise them with income.",
    ]);
  });

  it("never scores 100 with a finding", () => {
    expect(cappedScore(100, 0, 1)).toBe(99);
    expect(cappedScore(100, 2, 2)).toBe(70);
    expect(cappedScore(100, 0, 0)).toBe(100);
  });
});
