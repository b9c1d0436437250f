import type { RetirementOutlook } from "./outlook.js";

/**
 * When a kind of retirement sentence fits the person: each rule is a small pure precondition over the outlook, checked
 * here and only here (the narrative asks `fits`). `pattern` recognises the sentence in any text, so a reviewer can
 * flag a report (a real model's too) that says it where the precondition does not hold.
 */
export interface SentenceRule {
  /** Why the sentence needs the precondition, for a reviewer's finding. */
  reason: string;
  applies: (o: RetirementOutlook) => boolean;
  pattern: RegExp;
}

/** Below this success rate, trimming spending in bad years cannot rescue the plan: only a permanent change helps. */
export const FLEXIBLE_SPENDING_FLOOR = 50;
/** The "4% rule" comes from 30-year retirements; it is a fair comparison within this many years of 30. */
export const FOUR_PERCENT_HORIZON_TOLERANCE = 5;

/** Earned-income years are ahead: contribution advice fits (not for a retiree). */
export const hasSavingYearsAhead = (o: RetirementOutlook): boolean =>
  o.situation === "saving" && o.years_to_retirement > 0;

/** The plan fails often enough that only a permanent change (spend, save, retire later) helps, not flexibility. */
export const onlyPermanentChangeHelps = (o: RetirementOutlook): boolean => o.success_rate < FLEXIBLE_SPENDING_FLOOR;

/** The retirement lasts about 30 years, the span the "4% rule" was measured over. */
export const horizonNearThirtyYears = (o: RetirementOutlook): boolean =>
  Math.abs(o.retirement_years - 30) <= FOUR_PERCENT_HORIZON_TOLERANCE;

/** Income starts after retirement does: the first years' withdrawals bridge to it and are not the lifetime rate. */
export const hasIncomeBridge = (o: RetirementOutlook): boolean =>
  o.income_full_age !== null &&
  o.income_full_age > Math.max(o.retirement_age, o.current_age) &&
  o.money.income_full > o.money.income_at_retirement;

/** Something is valued: sentences about what is saved, or shares of it, are not about $0. */
export const hasValue = (o: RetirementOutlook): boolean => o.money.current_value > 0;

/** Holdings are held but none has a price: "nothing is saved" would be false. */
export const onlyUnpricedHoldings = (o: RetirementOutlook): boolean => !hasValue(o) && o.unpriced.length > 0;

/** The income sources as given ("Social Security", "a pension"), never a plural the person did not give. */
export function incomeSourcesNamed(o: RetirementOutlook): string {
  const names = o.income_sources.map((source) => source.name);
  if (names.length === 0) return "no income";
  if (names.length === 1) return names[0];
  return `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
}

export const RETIREMENT_RULES = {
  contribution_advice: {
    reason: "contribution advice needs earned-income years ahead; a retiree has none",
    applies: hasSavingYearsAhead,
    pattern: /\b(contribut\w*|sav(e|ing) more)\b/i,
  },
  flexible_spending: {
    reason:
      "spending less in bad years only helps a plan that mostly works; at very low success only a permanent change does",
    applies: (o) => !onlyPermanentChangeHelps(o),
    pattern: /\b(in|after) (a )?bad years?\b/i,
  },
  four_percent_comparison: {
    reason: "the 4% rule was measured over 30-year retirements; it does not fit a much shorter or longer one",
    applies: horizonNearThirtyYears,
    pattern: /\b4(\.0)?% (rule|that has historically)/i,
  },
  lifetime_withdrawal_rate: {
    reason: "with income starting later, the first years' withdrawals bridge to it; the lifetime rate is the one after",
    applies: (o) => !hasIncomeBridge(o),
    pattern: /\bwithdrawal rate\b(?![^.]*\b(before|after|until|once|from age)\b)/i,
  },
  plural_income_sources: {
    reason: "income sources are named as given: not 'Social Security and pensions' when only one was given",
    applies: (o) =>
      o.income_sources.some((s) => /social security/i.test(s.name)) &&
      o.income_sources.some((s) => !/social security/i.test(s.name)),
    pattern: /\bSocial Security and pensions\b/i,
  },
  nothing_saved: {
    reason: "'nothing is saved' is false for someone holding shares that have no price",
    applies: (o) => !onlyUnpricedHoldings(o),
    pattern: /\bnothing is saved\b/i,
  },
} satisfies Record<string, SentenceRule>;

export type RetirementRuleName = keyof typeof RETIREMENT_RULES;

/** Whether a kind of sentence fits this outlook: the one place the narrative asks. */
export const fits = (rule: RetirementRuleName, o: RetirementOutlook): boolean => RETIREMENT_RULES[rule].applies(o);

/** Each sentence of `text` that says what a rule forbids for this outlook, with the rule (for a reviewer). */
export function unfitSentences(
  text: string,
  o: RetirementOutlook,
): { rule: RetirementRuleName; reason: string; sentence: string }[] {
  const sentences = text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim().length > 0);
  return (Object.entries(RETIREMENT_RULES) as [RetirementRuleName, SentenceRule][]).flatMap(([rule, r]) =>
    r.applies(o)
      ? []
      : sentences
          .filter((s) => r.pattern.test(s))
          .map((sentence) => ({ rule, reason: r.reason, sentence: sentence.trim() })),
  );
}
