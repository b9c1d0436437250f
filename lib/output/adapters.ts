import * as z from "zod";

/**
 * Small readers between the payloads (owned by the agents) and the page's summary cards. Each reads
 * only what a card shows and returns null when the payload has none of it, so a payload's shape can
 * change in one place.
 */

/** The retirement card: every amount in today's dollars. */
export interface RetirementOutlook {
  /** Share of simulated markets that fund the target to the horizon, 0–100. */
  successRate: number;
  /** Yearly income the target asks for, today's dollars. */
  targetIncomeToday: number | null;
  /** Yearly spending the plan pays at the target success rate (`what_it_takes`), today's dollars, and that rate. */
  spendingAtTarget: { perYear: number; successRate: number } | null;
  retirementAge: number | null;
  /** The modelling defaults the outlook used, in a few words each ("14% tax assumed on 401(k) withdrawals"). */
  assumed: string[];
}

const ASSUMED_SHORT: Record<string, (percent: number, appliesTo: string) => string> = {
  withdrawal_tax_rate: (p, to) => `${p}% tax assumed on withdrawals from ${to} (no rate given)`,
  expense_ratio: (p, to) => `${p}% fees assumed for ${to} (expense ratio unknown)`,
  single_stock_volatility: (p, to) => `${p}% single-stock volatility for ${to}`,
};

const finite = z.number().refine(Number.isFinite);
const OutlookSource = z.looseObject({
  outlook: z.looseObject({
    success_rate: finite,
    retirement_age: finite,
    goals_set: z.boolean(),
    money: z.looseObject({ target_income: finite }),
    what_it_takes: z
      .looseObject({ target_success: finite, spending_per_year: finite.nullable() })
      .nullable()
      .optional(),
    assumed: z
      .array(z.looseObject({ assumption: z.string(), percent: finite, applies_to: z.array(z.string()) }))
      .optional(),
  }),
});

/** The retirement outlook from `retirement_payload.outlook` (null when the payload has none). */
export function readRetirementOutlook(payload: unknown): RetirementOutlook | null {
  const parsed = OutlookSource.safeParse(payload);
  if (!parsed.success) return null;
  const { success_rate, retirement_age, money, goals_set, what_it_takes, assumed } = parsed.data.outlook;
  return {
    successRate: success_rate,
    targetIncomeToday: goals_set ? money.target_income : null,
    spendingAtTarget:
      what_it_takes?.spending_per_year == null
        ? null
        : { perYear: what_it_takes.spending_per_year, successRate: what_it_takes.target_success },
    retirementAge: retirement_age,
    assumed: (assumed ?? []).flatMap((a) => {
      const text = ASSUMED_SHORT[a.assumption];
      return text ? [text(a.percent, a.applies_to.join(", "))] : [];
    }),
  };
}

/** The reviewer's verdict on the report: a score, or the reviewer's own failure. */
export type ReviewVerdict = { kind: "scored"; score: number; revised: boolean } | { kind: "error" };

const ScoredReview = z.looseObject({ review: z.looseObject({ score: finite, revised: z.boolean().optional() }) });
const FailedReview = z.looseObject({ review: z.looseObject({ status: z.literal("error") }) });

/** The reviewer's verdict from `report_payload.review` (null before there is a reviewer). */
export function readReview(payload: unknown): ReviewVerdict | null {
  const scored = ScoredReview.safeParse(payload);
  if (scored.success)
    return { kind: "scored", score: scored.data.review.score, revised: scored.data.review.revised ?? false };
  return FailedReview.safeParse(payload).success ? { kind: "error" } : null;
}

const StoredActions = z.looseObject({ actions: z.array(z.looseObject({ rank: finite, text: z.string() })) });

/**
 * The first `count` actions of the job's ranked plan (`summary_payload.actions`, written by Finalize); null when the
 * summary has none (a job finalized before action plans existed).
 */
export function plannedActions(summaryPayload: unknown, count = 3): string[] | null {
  const parsed = StoredActions.safeParse(summaryPayload);
  if (!parsed.success) return null;
  return [...parsed.data.actions]
    .sort((a, b) => a.rank - b.rank)
    .slice(0, count)
    .map((a) => a.text);
}

/** The first `count` items of the report's recommendations (or action plan) list, as markdown text. */
export function topActions(markdown: string, count = 3): string[] {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => /^#{1,6}\s+(recommendations|action plan|actions)\b/i.test(line));
  if (start < 0) return [];
  const actions: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6}\s/.test(line)) break;
    const item = /^\s*(?:\d+[.)]|[-*+])\s+(.*)$/.exec(line);
    if (item && actions.length < count) actions.push(item[1]!.trim());
  }
  return actions;
}
