import { Agent } from "@openai/agents-core";
import { Chart, PALETTE, toStoredChart, undrawableReason } from "../charts/chart.js";
import type { Db } from "../db/driver.js";
import { publishCharts } from "../db/repositories/jobs.js";
import { usd } from "../format.js";
import { agentLogger } from "../logger.js";
import type { Portfolio } from "../portfolio/types.js";
import type { Valuation } from "../portfolio/valuation.js";
import { writeWithTaskSpans } from "../tracing/job-trace.js";
import {
  type AgentDeps,
  addUsage,
  DATA_NOTICE,
  dataBlock,
  requireSnapshot,
  runAgent,
  runFollowUp,
  type TokenUsage,
  usageOf,
} from "./common.js";
import { charterPolicy } from "./offline/charter.js";
import { analysisBrief } from "./portfolio-brief.js";
import { stopWhenToolsSucceed, validatedTool } from "./tools.js";

export const MAX_CHARTS = 6;

export const CHARTER_INSTRUCTIONS = `You draw charts that tell the story of an investment portfolio.
Call create_chart once per chart, 4 to 6 charts in all, with values in US dollars (never percentages) taken from
the data: for example asset allocation, geographic exposure, sector breakdown, account types, top holdings.
Charts whose slices make up the whole portfolio must sum to its total value.
Types: pie, donut, bar, horizontalBar, and line for a time series only (each point named by its year, e.g. 2030, in year order).
Colours: hex #RRGGBB, e.g. ${PALETTE.slice(0, 6).join(" ")}.
Make all the calls in one turn. If a call is rejected, read the error and call again with corrected arguments.
Your work is the stored charts: once every call of a turn is stored, the run ends (no closing text is read).
${DATA_NOTICE}`;

/** Below this many stored charts the charter gets one more turn. */
export const MIN_CHARTS = 4;

export interface CharterContext {
  jobId: string;
  db: Db;
  keys: string[];
  /** Charts refused so far: their key (or "(no key)") and why. */
  refused: { key: string; reason: string }[];
  /** This attempt's charts by key, published together when the attempt succeeds. */
  charts: Record<string, unknown>;
}

const keyOf = (raw: unknown) => {
  const key = (raw as { key?: unknown } | null)?.key;
  return typeof key === "string" ? key : "(no key)";
};

/** How create_chart's answer starts when the chart was stored (anything else is a refusal). */
const STORED = "Stored chart";

export const createChart = validatedTool({
  name: "create_chart",
  description: "Validate one chart and add it to the job's charts (one call per chart; the same key replaces).",
  parameters: Chart,
  onInvalid: (context: CharterContext, raw, problem) => context.refused.push({ key: keyOf(raw), reason: problem }),
  async execute(chart, context: CharterContext) {
    const undrawable = undrawableReason(chart);
    if (undrawable) {
      context.refused.push({ key: chart.key, reason: undrawable });
      return `Rejected: ${undrawable}.`;
    }
    const isNew = !context.keys.includes(chart.key);
    if (isNew && context.keys.length >= MAX_CHARTS) {
      return `Rejected: ${MAX_CHARTS} charts already exist (${context.keys.join(", ")}); replace one by reusing its key.`;
    }
    if (isNew) context.keys.push(chart.key);
    const { key, chart: stored } = toStoredChart(chart);
    context.charts[key] = stored;
    return `${STORED} "${key}" with ${chart.data.length} point(s).`;
  },
});

export const charterAgent = new Agent<CharterContext>({
  name: "Charter",
  instructions: CHARTER_INSTRUCTIONS,
  tools: [createChart],
  modelSettings: { toolChoice: "required" },
  toolUseBehavior: stopWhenToolsSucceed((output) => output.startsWith(STORED)),
});

export function charterPrompt(portfolio: Portfolio, valuation: Valuation): string {
  return `Draw the charts for this portfolio (total value ${usd(valuation.total_value)}).\n\n${dataBlock("portfolio", analysisBrief(portfolio, valuation))}`;
}

export interface ChartsResult {
  charts: string[];
  usage: TokenUsage;
}

/**
 * Draws the job's charts from its snapshot. The attempt gathers its charts and publishes them in one
 * statement only when it succeeds, so a failed attempt (or a Step Functions retry) leaves no partial charts.
 */
export async function drawCharts(deps: AgentDeps, jobId: string): Promise<ChartsResult> {
  const { portfolio, valuation } = await requireSnapshot(deps.db, jobId);
  const context: CharterContext = { jobId, db: deps.db, keys: [], refused: [], charts: {} };
  const run = {
    name: "charter" as const,
    jobId,
    offlinePolicy: charterPolicy(portfolio, valuation),
    context,
    maxTurns: 8,
  };
  const first = await runAgent(deps, charterAgent, charterPrompt(portfolio, valuation), run);
  let usage = usageOf(first);
  if (context.keys.length < MIN_CHARTS) {
    const reminder = { role: "user" as const, content: fewChartsReminder(context) };
    const again = await runFollowUp(deps, charterAgent, [...first.history, reminder], run);
    if (again) usage = addUsage(usage, usageOf(again));
  }
  if (context.keys.length === 0) throw new Error("The charter finished without storing a chart");
  await writeWithTaskSpans(context.charts, (spans) => publishCharts(deps.db, jobId, context.charts, spans));
  agentLogger("charter", jobId).info("charts stored", { charts: context.keys, refused: context.refused.length });
  return { charts: context.keys, usage };
}

/** The second turn's request: how many charts were stored, which were refused and why. */
export function fewChartsReminder({ keys, refused }: CharterContext): string {
  const stored = keys.length ? `Stored so far: ${keys.join(", ")}.` : "No chart has been stored yet.";
  const refusals = refused.map((r) => `- ${r.key}: ${r.reason}`);
  const why = refusals.length ? `\nRefused charts and why:\n${refusals.join("\n")}` : "";
  return `Only ${keys.length} of at least ${MIN_CHARTS} charts are stored. ${stored}${why}\nCall create_chart again with corrected arguments until at least ${MIN_CHARTS} charts are stored.`;
}
