import { Agent } from "@openai/agents-core";
import { actionPlan, storedActions } from "../advice/actions.js";
import { savePayload, type TaggingFailures } from "../db/repositories/jobs.js";
import { accountTypeLabel, neutraliseUserText, usd } from "../format.js";
import type { KnowledgeBase } from "../knowledge/knowledge-base.js";
import { agentLogger } from "../logger.js";
import { withPricesNote } from "../market/price-notes.js";
import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import type { RetirementOutlook } from "../retirement/outlook.js";
import { writeWithTaskSpans } from "../tracing/job-trace.js";
import {
  type AgentDeps,
  AgentInputError,
  addUsage,
  DATA_NOTICE,
  dataBlock,
  payloadMeta,
  requireSnapshot,
  runAgent,
  runFollowUp,
  type TokenUsage,
  usageOf,
} from "./common.js";
import { reporterPolicy } from "./offline/reporter.js";
import { analysisBrief, userStrings } from "./portfolio-brief.js";
import { jobProjection } from "./retirement.js";
import { factFindings, reviewReport, revisionRequest } from "./reviewer.js";

export const REPORTER_INSTRUCTIONS = `You are a portfolio analyst writing for a retail investor.
The market insights for the largest holdings, looked up in the knowledge base, are given with the data.
Write a markdown report with these sections:
## Executive Summary (3–4 bullet points)
## Portfolio Composition (name every account with its type and value, then the holdings)
## Diversification Analysis (asset classes, regions, sectors, concentration)
## Risk Assessment
## Retirement Readiness (from the computed retirement outlook only; its amounts are in today's dollars)
## Recommendations (the action plan given, in its order, one numbered item each; add no other advice)
## Market Context (from the insights; say when none were found)
Use concrete figures and percentages from the data. Be clear and concise. Answer with the report only.
${DATA_NOTICE}`;

/** How many of the largest holdings the knowledge base is asked about. */
export const INSIGHT_SYMBOLS = 5;

export const reporterAgent = new Agent({ name: "Reporter", instructions: REPORTER_INSTRUCTIONS });

/**
 * Whether the report was written with market context, stored as a self-contained field of
 * `report_payload`: "missing" (the knowledge base failed, with the reason) is said in the report too.
 */
export interface MarketContext {
  market_context: "included" | "missing" | "none";
  market_context_reason?: string;
}

/**
 * The market insights for the largest holdings, looked up in code before the reporter runs (its arguments are
 * fully determined by the portfolio, so no model call is spent asking for them). A failing knowledge base is
 * reported in the text and the report is still written; a portfolio with no holdings has nothing to look up.
 */
export async function marketInsightsFor(
  knowledge: KnowledgeBase,
  valuation: Valuation,
  jobId: string,
): Promise<{ insights?: string; context: MarketContext }> {
  const symbols = valuation.positions.slice(0, INSIGHT_SYMBOLS).map((p) => p.symbol);
  if (symbols.length === 0) {
    return { context: { market_context: "none", market_context_reason: "no holdings to look up" } };
  }
  try {
    return { insights: await knowledge.marketInsights(symbols), context: { market_context: "included" } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    agentLogger("reporter", jobId).warn("market insights lookup failed; the report is written without them", {
      error: message,
    });
    // The error's text stays in the payload and the log: a SageMaker ModelError names a console link and the account.
    return {
      insights: "The market insights lookup was unavailable, so there are no market insights for these holdings.",
      context: { market_context: "missing", market_context_reason: `the market insights lookup failed: ${message}` },
    };
  }
}

/** A report written without its market context says so, at the end (the reason's detail stays in the payload). */
export function withMarketContextNote(report: string, context: MarketContext): string {
  if (context.market_context !== "missing") return report;
  return `${report.trimEnd()}\n\n> **Market context missing:** the market research lookup was unavailable when this report was written, so it contains no market insights for your holdings.\n`;
}

/**
 * A report on holdings the tagger could not classify says so, after the text, naming them (the first few, and how
 * many in all): the quality gate requires it, and a reader needs it to read the breakdowns.
 */
export function withTaggingNote(report: string, failures: TaggingFailures | null): string {
  if (!failures || failures.count === 0) return report;
  const more = failures.count - failures.symbols.length;
  const named = `${failures.symbols.join(", ")}${more > 0 ? ` and ${more.toLocaleString("en-US")} more` : ""}`;
  const note =
    failures.count === 1
      ? `${named} could not be classified: its asset class, region and sector are unknown, so its value counts as unclassified in the breakdowns above.`
      : `${failures.count.toLocaleString("en-US")} holdings could not be classified (${named}): their asset class, region and sector are unknown, so their value counts as unclassified in the breakdowns above.`;
  return `${report.trimEnd()}\n\n> **Not classified:** ${note}\n`;
}

export function reporterPrompt(
  portfolio: Portfolio,
  valuation: Valuation,
  outlook?: RetirementOutlook,
  insights?: string,
): string {
  const blocks = [dataBlock("portfolio", analysisBrief(portfolio, valuation))];
  if (outlook) blocks.push(dataBlock("retirement_outlook", outlook));
  blocks.push(
    dataBlock(
      "action_plan",
      actionPlan(portfolio, valuation, outlook).map((a) => a.text),
    ),
  );
  blocks.push(dataBlock("market_insights", insights ?? "No holdings, so no market insights were looked up."));
  return `Analyse this portfolio and write the report.\n\n${blocks.join("\n\n")}`;
}

/** Ensures the report names every account; appends a short table of any the model left out. */
export function ensureAccountsNamed(report: string, valuation: Valuation): string {
  const missing = valuation.accounts.filter((a) => !report.includes(a.name));
  if (missing.length === 0) return report;
  const rows = missing.map((a) => `| ${a.name} | ${accountTypeLabel(a.type)} | ${usd(a.total_value)} |`);
  return `${report.trimEnd()}\n\n## Accounts Not Covered Above\n\n| Account | Type | Value |\n|---|---|---|\n${rows.join("\n")}\n`;
}

/** The stored report: every account named, user text inert (no live links, headings or HTML from a portfolio file). */
function reportText(output: string, portfolio: Portfolio, valuation: Valuation): string {
  const report = output.trim();
  if (report === "") return "";
  const complete = withPricesNote(ensureAccountsNamed(report, valuation), valuation.positions);
  return neutraliseUserText(complete, userStrings(portfolio));
}

export interface ReportResult {
  characters: number;
  usage: TokenUsage;
}

/** Writes the job's report from its snapshot and stores `report_payload`. */
export async function writeReport(deps: AgentDeps, jobId: string): Promise<ReportResult> {
  if (!deps.knowledge) throw new AgentInputError("The reporter needs a knowledge base");
  const { job, portfolio, valuation, taggingFailures } = await requireSnapshot(deps.db, jobId, {
    taggingFailures: true,
  });
  // The same seeded outlook the retirement specialist computes, so both sections quote the same numbers.
  const { outlook } = await jobProjection(job, portfolio, valuation);
  const { insights, context: marketContext } = await marketInsightsFor(deps.knowledge, valuation, jobId);
  const run = {
    name: "reporter" as const,
    jobId,
    offlinePolicy: reporterPolicy(portfolio, valuation, outlook, insights),
    maxTurns: 2,
  };
  const first = await runAgent(deps, reporterAgent, reporterPrompt(portfolio, valuation, outlook, insights), run);
  let content = reportText(String(first.finalOutput ?? ""), portfolio, valuation);
  if (content.length === 0) throw new Error("The reporter returned an empty report");
  const reviewed = await reviewReport(deps, jobId, content, portfolio, valuation, outlook);
  let usage = addUsage(usageOf(first), reviewed.usage);
  const review = reviewed.review;
  if (review.status === "reviewed" && review.score < deps.config.reviewThreshold) {
    const input = [...first.history, { role: "user" as const, content: revisionRequest(review) }];
    const revision = await runFollowUp(deps, reporterAgent, input, run);
    const revised = reportText(String(revision?.finalOutput ?? ""), portfolio, valuation);
    if (revision) usage = addUsage(usage, usageOf(revision));
    if (revision && revised.length > 0) {
      // The revision is fact-checked too: it replaces the report only if it has no more findings.
      const findings = factFindings(revised, portfolio, valuation, outlook);
      if (findings.length <= factFindings(content, portfolio, valuation, outlook).length) {
        [content, review.revised, review.revision_findings] = [revised, true, findings];
      } else agentLogger("reporter", jobId).warn("revision kept out: more fact-check findings than the first draft");
    }
  }
  // The action plan its Recommendations list; Finalize copies it into summary_payload.actions.
  const actions = storedActions(actionPlan(portfolio, valuation, outlook));
  const payload = {
    content: withTaggingNote(withMarketContextNote(content, marketContext), taggingFailures),
    review,
    actions,
    ...marketContext,
    ...payloadMeta("reporter", deps.config),
  };
  await writeWithTaskSpans(payload, (spans) => savePayload(deps.db, jobId, "report_payload", payload, spans));
  agentLogger("reporter", jobId).info("report stored", { characters: content.length, review: review.status });
  return { characters: content.length, usage };
}
