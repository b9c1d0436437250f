import { Agent, type RunContext, run } from "@openai/agents";
import { Chart, type ChartPoint, PALETTE, toStoredChart } from "../charts/chart.js";
import type { Db } from "../db/driver.js";
import { publishCharts } from "../db/repositories/jobs.js";
import { accountTypeLabel, label, usd } from "../format.js";
import { agentLogger } from "../logger.js";
import type { OfflinePolicy } from "../models/offline.js";
import type { Portfolio } from "../portfolio/types.js";
import { cents, type Valuation, valuePortfolio } from "../portfolio/valuation.js";
import { type AgentDeps, agentModel, DATA_NOTICE, dataBlock, requireSnapshot, type TokenUsage, usageOf } from "./common.js";
import { validatedTool } from "./tools.js";
import { analysisBrief } from "./portfolio-brief.js";

export const MAX_CHARTS = 6;

export const CHARTER_INSTRUCTIONS = `You draw charts that tell the story of an investment portfolio.
Call create_chart once per chart, 4 to 6 charts in all, with values in US dollars (never percentages) taken from
the data: for example asset allocation, geographic exposure, sector breakdown, account types, top holdings.
Charts whose slices make up the whole portfolio must sum to its total value.
Types: pie, donut, bar, horizontalBar, line. Colours: hex #RRGGBB, e.g. ${PALETTE.slice(0, 6).join(" ")}.
If a call is rejected, read the error and call again with corrected arguments. Finish with one line listing the charts.
${DATA_NOTICE}`;

export interface CharterContext {
  jobId: string;
  db: Db;
  keys: string[];
  /** This attempt's charts by key, published together when the attempt succeeds. */
  charts: Record<string, unknown>;
}

export const createChart = validatedTool({
  name: "create_chart",
  description: "Validate one chart and add it to the job's charts (one call per chart; the same key replaces).",
  parameters: Chart,
  async execute(chart, runContext: RunContext<CharterContext>) {
    const context = runContext.context;
    const isNew = !context.keys.includes(chart.key);
    if (isNew && context.keys.length >= MAX_CHARTS) {
      return `Rejected: ${MAX_CHARTS} charts already exist (${context.keys.join(", ")}); replace one by reusing its key.`;
    }
    if (isNew) context.keys.push(chart.key);
    const { key, chart: stored } = toStoredChart(chart);
    context.charts[key] = stored;
    return `Stored chart "${key}" with ${chart.data.length} point(s).`;
  },
});

export function charterPrompt(portfolio: Portfolio, valuation: Valuation): string {
  return `Draw the charts for this portfolio (total value ${usd(valuation.total_value)}).\n\n${dataBlock("portfolio", analysisBrief(portfolio, valuation))}`;
}

/** The offline analyst draws five charts from the valuation, all at once, then reports them. */
export function charterPolicy(portfolio: Portfolio, valuation: Valuation): OfflinePolicy {
  return ({ toolResults }) => {
    if (toolResults.length > 0) return { final: `Created charts: ${toolResults.map((r) => (r.arguments as Chart).key).join(", ")}.` };
    return { toolCalls: offlineCharts(portfolio, valuation).map((chart) => ({ name: "create_chart", arguments: chart })) };
  };
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
  const { portfolio } = await requireSnapshot(deps.db, jobId);
  const valuation = valuePortfolio(portfolio);
  const agent = new Agent<CharterContext>({
    name: "Charter",
    instructions: CHARTER_INSTRUCTIONS,
    tools: [createChart],
    model: agentModel(deps, "charter", jobId, charterPolicy(portfolio, valuation)),
  });
  const context: CharterContext = { jobId, db: deps.db, keys: [], charts: {} };
  const result = await run(agent, charterPrompt(portfolio, valuation), { context, maxTurns: 8 });
  if (context.keys.length === 0) throw new Error("The charter finished without storing a chart");
  await publishCharts(deps.db, jobId, context.charts);
  agentLogger("charter", jobId).info("charts stored", { charts: context.keys });
  return { charts: context.keys, usage: usageOf(result) };
}

/** Points from USD amounts, coloured in order; `total` (if given) absorbs the rounding so the points sum to it. */
function points(amounts: [string, number][], total?: number): ChartPoint[] {
  const data = amounts.filter(([, v]) => v > 0).map(([name, value], i) => ({ name, value: cents(value), color: PALETTE[i % PALETTE.length] }));
  if (total !== undefined && data.length > 0) {
    const drift = cents(total - data.reduce((sum, p) => sum + p.value, 0));
    data[0].value = cents(data[0].value + drift);
  }
  return data;
}

function offlineCharts(portfolio: Portfolio, v: Valuation): Chart[] {
  const byType = new Map<string, number>();
  for (const a of v.accounts) byType.set(a.type, (byType.get(a.type) ?? 0) + a.total_value);
  const charts: Chart[] = [
    {
      key: "asset_allocation", title: "Asset Allocation", type: "pie",
      description: `How the ${usd(v.total_value)} portfolio splits across asset classes, account cash included.`,
      data: points(Object.entries(v.allocation.asset_class).map(([k, amount]) => [label(k), amount]), v.total_value),
    },
    {
      key: "geographic_exposure", title: "Geographic Exposure", type: "bar",
      description: "Invested assets by region (cash excluded).",
      data: points(Object.entries(v.allocation.region).map(([k, amount]) => [label(k), amount])),
    },
    {
      key: "sector_breakdown", title: "Sector Breakdown", type: "donut",
      description: "Invested assets by sector, the ten largest.",
      data: points(Object.entries(v.allocation.sector).slice(0, 10).map(([k, amount]) => [label(k), amount])),
    },
    {
      key: "account_types", title: "Accounts by Type", type: "pie",
      description: `Value held in each kind of account across ${portfolio.accounts.length} account(s).`,
      data: points([...byType].map(([type, amount]) => [accountTypeLabel(type), amount]), v.total_value),
    },
    {
      key: "top_holdings", title: "Top Holdings", type: "horizontalBar",
      description: "The largest positions by market value.",
      data: points(v.positions.slice(0, 10).map((p) => [p.symbol, p.value])),
    },
  ];
  return charts.filter((chart) => chart.data.length > 0);
}
