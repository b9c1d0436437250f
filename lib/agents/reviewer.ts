import { Agent } from "@openai/agents-core";
import { z } from "zod";
import { adviceFacts } from "../advice/facts.js";
import { suitabilityFindings } from "../advice/rules.js";
import { agentLogger } from "../logger.js";
import { modelName } from "../models/provider.js";
import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import type { RetirementOutlook } from "../retirement/outlook.js";
import { type AgentDeps, DATA_NOTICE, dataBlock, NO_USAGE, runAgent, type TokenUsage, usageOf } from "./common.js";
import { factCheck } from "./fact-check.js";
import { FINDING_PENALTY, reviewerPolicy } from "./offline/reviewer.js";
import { KNOWN_INSTRUMENTS } from "./offline/tagger-reference.js";
import { analysisBrief } from "./portfolio-brief.js";

export const REVIEWER_INSTRUCTIONS = `You review a portfolio report written for a retail investor, against the portfolio's data.
Check every dollar figure, percentage and holding the report names against the data, and whether each statement is
true and suitable for this person (no contributions for a retiree, no "bet" for a broad fund, no "idle" for a
retiree's cash reserve, no "rebalance" without a mix). A fact-checker has already compared the figures with the computed values; its findings are
given to you: keep those that are real problems. Score the report from 0 (wrong or misleading) to 100 (accurate and
complete), and list each issue with the exact sentence concerned and what is wrong with it. No issues: an empty list.
${DATA_NOTICE}`;

export const ReviewIssue = z.object({
  sentence: z.string().max(1000).describe("The sentence of the report concerned, quoted exactly"),
  problem: z.string().max(500).describe("What is wrong with it"),
});
export type ReviewIssue = z.infer<typeof ReviewIssue>;

export const Review = z.object({
  score: z.number().int().min(0).max(100).describe("0 = wrong or misleading, 100 = accurate and complete"),
  issues: z.array(ReviewIssue).max(30),
});
export type Review = z.infer<typeof Review>;

export const reviewerAgent = new Agent({ name: "Reviewer", instructions: REVIEWER_INSTRUCTIONS, outputType: Review });

/** The review stored with a report; a reviewer that failed is recorded as such, never as a pass. */
export type StoredReview =
  | ({ status: "reviewed"; revised: boolean; model: string; revision_findings?: ReviewIssue[] } & Review)
  | { status: "error"; error: string; revised: false; model: string };

export function reviewerPrompt(
  report: string,
  portfolio: Portfolio,
  valuation: Valuation,
  findings: ReviewIssue[],
): string {
  return [
    "Review this report against the portfolio data.",
    dataBlock("portfolio", analysisBrief(portfolio, valuation)),
    dataBlock("fact_checker_findings", findings),
    dataBlock("report", report),
  ].join("\n\n");
}

/**
 * The deterministic checks of a report, whichever model wrote it (the first part of every review, and the check of a
 * revision): its figures against the computed values, and every sentence against the suitability rules (lib/advice).
 */
export function factFindings(
  report: string,
  portfolio: Portfolio,
  valuation: Valuation,
  outlook?: RetirementOutlook,
): ReviewIssue[] {
  const facts = adviceFacts(portfolio, valuation, outlook);
  const unsuitable = suitabilityFindings(withoutMarketContext(report), facts).map(({ rule, sentence, problem }) => ({
    sentence,
    problem: `Unsuitable (${rule}): ${problem}`,
  }));
  return [...factCheck(report, portfolio, valuation, KNOWN_INSTRUMENTS.keys(), outlook), ...unsuitable];
}

/** The report without its Market Context section: quoted market notes, not advice to this person. */
const withoutMarketContext = (report: string) => report.replace(/^## Market Context\b[\s\S]*?(?=^## |(?![\s\S]))/m, "");

/** A review's score: never 100 with a finding, and at most what the deterministic findings leave. */
export function cappedScore(score: number, findings: number, issues: number): number {
  const ceiling = issues > 0 ? Math.min(99, Math.max(0, 100 - FINDING_PENALTY * findings)) : 100;
  return Math.min(score, ceiling);
}

/** The fact-check, then the Reviewer agent (which, offline, is the fact-check); an error is recorded, not raised. */
export async function reviewReport(
  deps: AgentDeps,
  jobId: string,
  report: string,
  portfolio: Portfolio,
  valuation: Valuation,
  outlook?: RetirementOutlook,
): Promise<{ review: StoredReview; usage: TokenUsage }> {
  const model = modelName(deps.config);
  const findings = factFindings(report, portfolio, valuation, outlook);
  try {
    const result = await runAgent(deps, reviewerAgent, reviewerPrompt(report, portfolio, valuation, findings), {
      name: "reviewer",
      jobId,
      offlinePolicy: reviewerPolicy(findings),
      maxTurns: 2,
    });
    const answer = Review.parse(result.finalOutput);
    const issues = [...findings.filter((f) => !answer.issues.some((i) => i.problem === f.problem)), ...answer.issues];
    const score = cappedScore(answer.score, findings.length, issues.length);
    return {
      review: { status: "reviewed", score, issues, revised: false, model },
      usage: usageOf(result),
    };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    agentLogger("reviewer", jobId).warn("review failed; the report is stored with review.status error", {
      error: message,
    });
    return { review: { status: "error", error: message, revised: false, model }, usage: NO_USAGE };
  }
}

/** What the reporter is told when its report scored below the threshold. */
export function revisionRequest(review: Review): string {
  const lines = review.issues.map((i) => `- "${i.sentence}": ${i.problem}`);
  return `A reviewer scored your report ${review.score}/100 and found these issues:\n${lines.join("\n")}\nRevise the report to fix them, using only figures from the data. Answer with the full revised report only.`;
}
