import { usdRounded } from "../format.js";
import { hasSavingYearsAhead, RETIREMENT_RULES, type SentenceRule } from "../retirement/rules.js";
import { type AdviceFacts, isBet } from "./facts.js";

/**
 * Suitability: each kind of advice sentence with its precondition, checked in one place. The action plan drops a
 * proposal a rule refuses, and the reviewer reports the same refusal for any sentence of any model's text.
 */
export interface SuitabilityRule {
  id: string;
  /** The advice the rule governs, in words (for docs and findings). */
  advice: string;
  /** Sentences that give this advice. */
  pattern: RegExp;
  /** Why the sentence does not fit this person, or null when it does. */
  unfit(facts: AdviceFacts, sentence: string): string | null;
}

export const SUITABILITY_RULES: readonly SuitabilityRule[] = [
  {
    id: "contribution_needs_earned_income",
    advice: "contribution advice (start, keep, raise or review contributions)",
    pattern:
      /\b(?:start|keep|raise|increase|review|make|begin|add)\b[^.;]*\bcontribut\w*|\bcontribute \$|\bsave (?:more|\$)/i,
    unfit: (f) =>
      (f.outlook ? hasSavingYearsAhead(f.outlook) : f.years_to_retirement > 0)
        ? null
        : "contribution advice for someone already retired: there are no earned-income years ahead to contribute from",
  },
  {
    id: "broad_fund_is_not_a_bet",
    advice: "calling a holding a single stock or sector bet",
    pattern: /single[- ]stock|sector bet|\bbet\b/i,
    unfit: (f, sentence) => {
      const named = f.holdings.filter((h) => new RegExp(`\\b${escapeRegExp(h.symbol)}\\b`).test(sentence));
      const broad = named.filter((h) => !isBet(h.kind) && h.kind !== "unknown");
      if (broad.length === 0) return null;
      return `${broad.map((h) => h.symbol).join(", ")} is a ${broad[0].kind === "multi_asset_fund" ? "multi-asset" : "broad"} fund: diversification, not a single stock or sector bet`;
    },
  },
  {
    id: "cash_reserve_is_not_idle",
    advice: "calling cash idle or asking to put it to work",
    pattern: /idle cash|cash[^.;]*\bidle\b|put (?:the |your |idle )?cash to work|cash drag|too much cash/i,
    unfit: (f) => {
      if (f.all_cash || f.empty)
        return "with nothing invested the advice is to choose a mix, not to put idle cash to work";
      if (f.situation === "retired" && f.idle_cash === 0)
        return `the ${usdRounded(f.cash)} of cash is within ${2} years of net withdrawals (${usdRounded(f.cash_reserve)}): a reserve, not idle`;
      return null;
    },
  },
  {
    id: "rebalance_needs_a_mix",
    advice: "rebalancing",
    pattern: /\brebalanc(?:e|ing)\b/i,
    unfit: (f) =>
      f.empty || f.all_cash || f.holdings.length === 0
        ? "there is no invested mix to rebalance: the advice is to choose a mix first"
        : null,
  },
  {
    id: "zero_value_sentence",
    advice: "a sentence whose figure is a zero share or an empty holding",
    pattern:
      /(?<![\d.])0(?:\.0+)?% of (?:the portfolio|invested assets|the total)|largest holding[^.;]*(?<![\d.])0(?:\.0+)?%/i,
    unfit: () => "the sentence reports a zero share: it says nothing about this portfolio",
  },
  {
    id: "unpriced_is_not_nothing",
    advice: "saying nothing is saved",
    pattern: /nothing is saved|nothing saved|no savings yet|nothing is invested/i,
    unfit: (f) =>
      f.unpriced.length > 0
        ? `${f.unpriced.join(", ")} ${f.unpriced.length === 1 ? "is" : "are"} held but unpriced: something is saved, its value is unknown`
        : null,
  },
  // The retirement prose's own rules (lib/retirement/rules.ts), applied to any text when there is an outlook.
  ...(Object.entries(RETIREMENT_RULES) as [string, SentenceRule][])
    .filter(([id]) => id !== "contribution_advice" && id !== "nothing_saved")
    .map(([id, rule]) => ({
      id,
      advice: rule.reason,
      pattern: rule.pattern,
      unfit: (f: AdviceFacts) => (f.outlook && !rule.applies(f.outlook) ? rule.reason : null),
    })),
];

/** One sentence that breaks a suitability rule, with the rule and why. */
export interface SuitabilityFinding {
  rule: string;
  sentence: string;
  problem: string;
}

/** The rules a sentence breaks for this person (empty when it fits). */
export function unfitReasons(sentence: string, facts: AdviceFacts): { rule: string; problem: string }[] {
  return SUITABILITY_RULES.flatMap((rule) => {
    if (!rule.pattern.test(sentence)) return [];
    const problem = rule.unfit(facts, sentence);
    return problem ? [{ rule: rule.id, problem }] : [];
  });
}

/** Every sentence of a text that breaks a rule, quoted (markdown lines split into sentences). */
export function suitabilityFindings(text: string, facts: AdviceFacts): SuitabilityFinding[] {
  return sentencesOf(text).flatMap((sentence) =>
    unfitReasons(sentence, facts).map((reason) => ({ ...reason, sentence })),
  );
}

/**
 * A text's sentences: each non-empty line outside tables, without its list marker, split after `.`, `!` or `?`
 * followed by a space and a capital.
 */
function sentencesOf(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.trim().replace(/^(?:[-*+]|\d+[.)])\s+/, ""))
    .filter((line) => line !== "" && !line.startsWith("|"))
    .flatMap((line) => line.split(/(?<=[.!?])\s+(?=[A-Z*_])/))
    .map((sentence) => sentence.trim())
    .filter(Boolean);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
