import * as z from "zod";
import { pct, symbolList, usdRounded } from "../format.js";
import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import type { RetirementOutlook } from "../retirement/outlook.js";
import {
  type AdviceFacts,
  adviceFacts,
  CONCENTRATION_PERCENT,
  DEFAULT_TARGET_SUCCESS,
  IDLE_CASH_PERCENT,
  isBet,
} from "./facts.js";
import { unfitReasons } from "./rules.js";

const ACTION_KINDS = [
  "raise_contribution",
  "retire_later",
  "spend_less",
  "set_goals",
  "price_holdings",
  "choose_mix",
  "invest_idle_cash",
  "reduce_concentration",
  "learn_holding",
  "keep_contributing",
  "confirm_income",
  "add_fixed_income",
  "add_international",
  "balance_technology",
  "shelter_bonds",
  "rebalance",
  "keep_reserve",
  "emergency_fund",
  "review_fees",
  "revisit",
] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** The specialist whose domain proposes an action. */
const ACTION_SOURCES = ["retirement", "reporter"] as const;

/**
 * How urgent an action is: 0 (nothing else can be judged without it), 1 (the plan fails without it) to 4 (good
 * housekeeping).
 */
export const Urgency = z.number().int().min(0).max(4);

/** A measured effect: the success rate before and after the action (same seeded Monte Carlo). */
export const ActionEffect = z.object({
  metric: z.literal("success_rate"),
  from: z.number(),
  to: z.number(),
});
export type ActionEffect = z.infer<typeof ActionEffect>;

/** One proposed action, before ranking. */
export const ProposedAction = z.object({
  kind: z.enum(ACTION_KINDS),
  text: z.string().min(1),
  source: z.enum(ACTION_SOURCES),
  urgency: Urgency,
  /** The figures the action rests on, by name (dollars, percent, ages). */
  facts: z.record(z.string(), z.union([z.number(), z.string()])),
  effect: ActionEffect.nullable(),
  /** How large a change the action asks for (a fraction of the yearly target; 0 when not measured): less goes first. */
  effort: z.number().min(0).default(0),
});
export type ProposedAction = z.input<typeof ProposedAction>;

/** A ranked action as `summary_payload.actions` stores it. */
export const PlannedAction = z.object({
  rank: z.number().int().min(1),
  kind: z.enum(ACTION_KINDS),
  text: z.string().min(1),
  source: z.enum(ACTION_SOURCES),
  effect: ActionEffect.nullable(),
});
export type PlannedAction = z.infer<typeof PlannedAction>;

/** A year of later retirement weighs like a tenth of a year's spending when levers are compared. */
const YEAR_LATER_EFFORT = 0.1;

/** Most actions a plan lists. */
const MAX_ACTIONS = 7;

/**
 * The ranked action plan for one person: every domain's proposals, those a suitability rule refuses removed, ranked
 * by urgency then measured effect. Pure, so the reporter, the retirement specialist and Finalize get the same list.
 */
export function actionPlan(portfolio: Portfolio, valuation: Valuation, outlook?: RetirementOutlook | null) {
  const facts = adviceFacts(portfolio, valuation, outlook);
  return rankActions(proposeActions(facts), facts);
}

/** Every domain's proposals for these facts (unranked, unfiltered). */
function proposeActions(facts: AdviceFacts): ProposedAction[] {
  return [...retirementActions(facts), ...portfolioActions(facts)].map((a) => ProposedAction.parse(a));
}

/**
 * Drops what does not fit, orders by urgency, then effect (gain in success points), then the smaller change, and
 * numbers them from 1.
 */
export function rankActions(proposals: ProposedAction[], facts?: AdviceFacts): (PlannedAction & ProposedAction)[] {
  const fitting = facts ? proposals.filter((a) => unfitReasons(a.text, facts).length === 0) : proposals;
  const gain = (a: ProposedAction) => (a.effect ? a.effect.to - a.effect.from : 0);
  const effort = (a: ProposedAction) => a.effort ?? 0;
  return fitting
    .map((action, order) => ({ action, order }))
    .sort(
      (a, b) =>
        a.action.urgency - b.action.urgency ||
        gain(b.action) - gain(a.action) ||
        effort(a.action) - effort(b.action) ||
        a.order - b.order,
    )
    .slice(0, MAX_ACTIONS)
    .map(({ action }, i) => ({ rank: i + 1, ...action }));
}

/** The plan as stored in `summary_payload.actions`. */
export function storedActions(plan: PlannedAction[]): PlannedAction[] {
  return plan.map(({ rank, kind, text, source, effect }) => ({ rank, kind, text, source, effect }));
}

type Draft = ProposedAction;

function retirementActions(f: AdviceFacts): Draft[] {
  const o = f.outlook;
  if (!o || f.empty) return f.empty ? emptyActions(f) : [];
  if (!f.goals_set)
    return [
      {
        kind: "set_goals",
        source: "retirement",
        urgency: 2,
        text: "Set a retirement age and a yearly income target, so the outlook tests your own plan instead of defaults.",
        facts: {},
        effect: null,
      },
    ];
  if (o.verdict === "no_target" || o.verdict === "covered_by_income") return incomeActions(f);
  const wit = f.what_it_takes;
  const target = wit?.target_success ?? DEFAULT_TARGET_SUCCESS;
  const urgency = o.verdict === "off_track" ? 1 : o.verdict === "close" ? 2 : 3;
  const effect = (to: number) => ({ metric: "success_rate" as const, from: o.success_rate, to });
  const behind = o.verdict !== "on_track";
  const actions: Draft[] = [];
  const contribution = o.money.annual_contribution;
  if (behind && f.years_to_retirement > 0) {
    if (wit?.contribution_per_year != null && wit.contribution_per_year > contribution) {
      actions.push({
        kind: "raise_contribution",
        source: "retirement",
        urgency,
        text: `Save ${usdRounded(wit.contribution_per_year)} a year${contribution > 0 ? ` instead of ${usdRounded(contribution)}` : ""} until ${o.retirement_age}: about ${pct(target, 0)} of markets then pay your target, instead of ${pct(o.success_rate)}.`,
        facts: { contribution_per_year: wit.contribution_per_year, annual_contribution: contribution },
        effect: effect(target),
        effort: (wit.contribution_per_year - contribution) / Math.max(1, o.money.target_income),
      });
    } else if (!wit) {
      actions.push({
        kind: "raise_contribution",
        source: "retirement",
        urgency,
        text:
          contribution === 0
            ? `Start a regular yearly contribution: none is planned, and only ${pct(o.success_rate)} of markets pay your target.`
            : `Raise the yearly contribution above ${usdRounded(contribution)}: only ${pct(o.success_rate)} of markets pay your target.`,
        facts: { success_rate: o.success_rate, annual_contribution: contribution },
        effect: null,
      });
    }
    if (wit?.retirement_age != null && wit.retirement_age > o.retirement_age) {
      actions.push({
        kind: "retire_later",
        source: "retirement",
        urgency,
        text: `Retire at ${wit.retirement_age} instead of ${o.retirement_age}: about ${pct(target, 0)} of markets then pay your target, instead of ${pct(o.success_rate)}.`,
        facts: { retirement_age: wit.retirement_age },
        effect: effect(target),
        effort: YEAR_LATER_EFFORT * (wit.retirement_age - o.retirement_age),
      });
    }
  }
  if (behind && !wit && f.situation === "retired") {
    actions.push({
      kind: "spend_less",
      source: "retirement",
      urgency,
      text: `Lower the yearly spending of ${usdRounded(o.money.target_income)} for good, or add income: only ${pct(o.success_rate)} of markets pay it to age ${o.horizon_age}.`,
      facts: { target_income: o.money.target_income },
      effect: null,
    });
  }
  if (behind && wit?.spending_per_year != null && wit.spending_per_year < o.money.target_income) {
    actions.push({
      kind: "spend_less",
      source: "retirement",
      urgency,
      text: `Plan on ${usdRounded(wit.spending_per_year)} a year of spending instead of ${usdRounded(o.money.target_income)}: about ${pct(target, 0)} of markets pay that to age ${o.horizon_age}, instead of ${pct(o.success_rate)} for the current plan.`,
      facts: { spending_per_year: wit.spending_per_year, target_income: o.money.target_income },
      effect: effect(target),
      effort: (o.money.target_income - wit.spending_per_year) / Math.max(1, o.money.target_income),
    });
  }
  if (!behind && f.years_to_retirement > 0 && contribution > 0) {
    actions.push({
      kind: "keep_contributing",
      source: "retirement",
      urgency: 3,
      text: `Keep the ${usdRounded(contribution)} yearly contribution automatic until ${o.retirement_age}: the plan is on track with it (${pct(o.success_rate)} of markets).`,
      facts: { annual_contribution: contribution },
      effect: null,
    });
  }
  return [...actions.map((action) => outsizedAsGap(action, f, target)), ...incomeActions(f)];
}

/** Largest change a lever may ask and keep its urgency: a year of target spending saved extra, or half of it cut. */
const PLAUSIBLE_EFFORT = { spend_less: 0.5, other: 1 } as const;

/**
 * A lever that asks an outsized change (saving more than a year's spending extra, cutting spending by more than
 * half) is no plan to follow: it is stated as the size of the gap, and goes after the feasible actions. When one
 * single stock or sector bet holds most of the money, its risk is named as the place to start.
 */
function outsizedAsGap(action: Draft, f: AdviceFacts, target: number): Draft {
  const limit = action.kind === "spend_less" ? PLAUSIBLE_EFFORT.spend_less : PLAUSIBLE_EFFORT.other;
  if ((action.effort ?? 0) <= limit) return action;
  const o = f.outlook!;
  const { contribution_per_year, annual_contribution, spending_per_year, target_income } = action.facts;
  const alone =
    action.kind === "raise_contribution"
      ? `Saving more alone would take ${usdRounded(Number(contribution_per_year))} a year${Number(annual_contribution) > 0 ? ` instead of ${usdRounded(Number(annual_contribution))}` : ""} until ${o.retirement_age}`
      : action.kind === "spend_less"
        ? `Spending less alone would take ${usdRounded(Number(spending_per_year))} a year instead of ${usdRounded(Number(target_income))}`
        : null;
  if (!alone) return { ...action, urgency: Math.min(4, action.urgency + 1) };
  const top = f.holdings[0];
  const start =
    top && top.weight > 50 && isBet(top.kind)
      ? `the outlook carries the swings of ${top.symbol} (${pct(top.weight)} of the portfolio), so spread that risk first and re-run this analysis`
      : "that is too large a change by itself, so combine smaller steps from this list";
  return {
    ...action,
    urgency: Math.min(4, action.urgency + 1),
    text: `${alone} for about ${pct(target, 0)} of markets to pay your target; ${start}.`,
  };
}

function incomeActions(f: AdviceFacts): Draft[] {
  const o = f.outlook;
  if (!o || f.income_sources.length === 0 || f.years_to_retirement > 5) return [];
  const names = f.income_sources.join(" and ");
  const text =
    f.situation === "saving"
      ? `Before retiring at ${o.retirement_age}: confirm the start ages and amounts of ${names}; the plan counts on them.`
      : `Confirm each year that ${names} still ${f.income_sources.length === 1 ? "pays" : "pay"} what the plan assumes.`;
  return [{ kind: "confirm_income", source: "retirement", urgency: 3, text, facts: {}, effect: null }];
}

function emptyActions(f: AdviceFacts): Draft[] {
  const actions: Draft[] = [
    {
      kind: "choose_mix",
      source: "reporter",
      urgency: 1,
      text: "Choose a mix of low-cost broad funds (stocks and bonds) for your first savings; nothing is held yet.",
      facts: {},
      effect: null,
    },
  ];
  if (f.years_to_retirement > 0)
    actions.push({
      kind: "raise_contribution",
      source: "retirement",
      urgency: 1,
      text: "Start a regular contribution, even a small one, into a tax-advantaged account such as a 401(k) or IRA.",
      facts: {},
      effect: null,
    });
  return actions;
}

function portfolioActions(f: AdviceFacts): Draft[] {
  if (f.empty) return [];
  const actions: Draft[] = [];
  const add = (kind: ActionKind, urgency: number, text: string, facts: Draft["facts"] = {}) =>
    actions.push({ kind, source: "reporter", urgency, text, facts, effect: null });
  const priced = f.holdings.length;
  if (f.unpriced.length > 0)
    add(
      "price_holdings",
      priced === 0 ? 0 : 2,
      `Add prices for ${symbolList(f.unpriced)}: ${f.unpriced.length === 1 ? "it is" : "they are"} valued at $0 until a price is known, so the analysis cannot count ${f.unpriced.length === 1 ? "it" : "them"}.`,
    );
  if (f.all_cash) {
    add(
      "choose_mix",
      1,
      f.situation === "retired"
        ? `Keep ${usdRounded(f.cash_reserve)} (two years of withdrawals) in cash and choose a stock/bond mix for the rest.`
        : `Choose a stock/bond mix of low-cost broad funds for the cash you will not need within a few years: everything (${usdRounded(f.cash)}) is in cash.`,
      { cash: f.cash, cash_reserve: f.cash_reserve },
    );
  } else if (priced > 0 && f.idle_cash > 0 && f.cash_percent > IDLE_CASH_PERCENT) {
    add(
      "invest_idle_cash",
      2,
      f.situation === "retired"
        ? `Invest the ${usdRounded(f.idle_cash)} of cash above the reserve of ${usdRounded(f.cash_reserve)} (two years of withdrawals).`
        : `Put idle cash to work: ${pct(f.cash_percent)} of the portfolio (${usdRounded(f.cash)}) sits in cash.`,
      { idle_cash: f.idle_cash, cash_reserve: f.cash_reserve, cash: f.cash },
    );
  } else if (f.situation === "retired" && f.cash_reserve > 0) {
    add(
      "keep_reserve",
      4,
      `Keep the ${usdRounded(f.cash)} of cash as a withdrawal reserve and refill it from the portfolio after good years.`,
      { cash: f.cash },
    );
  }
  const top = f.holdings[0];
  if (top && top.weight > CONCENTRATION_PERCENT && isBet(top.kind))
    add(
      "reduce_concentration",
      top.weight > 50 ? 1 : 2,
      `Reduce the concentration in ${top.symbol} (${pct(top.weight)} of the portfolio): it is a ${top.kind === "single_stock" ? "single stock" : "sector bet"}; spread new money across broad funds.`,
      { weight: top.weight },
    );
  if (top && top.weight > CONCENTRATION_PERCENT && top.kind === "unknown")
    add(
      "learn_holding",
      2,
      `Find out what ${top.symbol} holds: it is ${pct(top.weight)} of the portfolio and its mix is unknown, so its risk cannot be judged.`,
      { weight: top.weight },
    );
  const fixedIncome = f.asset_percent.fixed_income ?? 0;
  if (priced > 0 && fixedIncome < 20 && (f.situation === "retired" || f.years_to_retirement <= 15))
    add(
      "add_fixed_income",
      3,
      `Hold more bonds (now ${pct(fixedIncome)} of the portfolio) to soften a fall in stocks ${f.situation === "retired" ? "while you withdraw" : "as retirement nears"}.`,
      { fixed_income_percent: fixedIncome },
    );
  if (priced > 0 && f.invested > 0 && f.international_percent < 20)
    add(
      "add_international",
      3,
      `Add international exposure: only ${pct(f.international_percent)} of invested assets are outside North America.`,
      { international_percent: f.international_percent },
    );
  if (f.technology_percent > 30)
    add("balance_technology", 3, "Balance the technology tilt with value or dividend funds.", {
      technology_percent: f.technology_percent,
    });
  if (f.taxable_bond_accounts.length > 0)
    add(
      "shelter_bonds",
      3,
      `Move bond funds from ${f.taxable_bond_accounts.join(", ")} into tax-advantaged accounts, where their interest is not taxed yearly.`,
    );
  if (priced >= 2 || (priced >= 1 && f.cash > 0 && !f.all_cash))
    add("rebalance", 4, "Rebalance once a year back to your target mix.");
  if (f.situation === "saving") add("emergency_fund", 4, "Keep an emergency fund outside the investment accounts.");
  if (priced > 0)
    add("review_fees", 4, "Compare the expense ratios of the funds held and prefer low-cost index funds.");
  add("revisit", 4, "Re-run this analysis after large market moves or changes in income or goals.");
  return actions;
}
