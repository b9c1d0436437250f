import { Agent, type RunContext, run, tool } from "@openai/agents";
import { z } from "zod";
import { loadPortfolio } from "../db/repositories/portfolios.js";
import { saveSnapshot } from "../db/repositories/jobs.js";
import { usd } from "../format.js";
import { agentLogger } from "../logger.js";
import type { OfflinePolicy } from "../models/offline.js";
import type { Portfolio } from "../portfolio/types.js";
import { type Valuation, valuePortfolio } from "../portfolio/valuation.js";
import {
  AgentInputError,
  type AgentDeps,
  agentModel,
  DATA_NOTICE,
  dataBlock,
  requireJob,
  SPECIALISTS,
  type SpecialistName,
  type TokenUsage,
  usageOf,
} from "./common.js";
import { toolErrorMessage } from "./tools.js";
import { hasRetirementGoals, planningBrief, positionCount } from "./portfolio-brief.js";

export const PLANNER_INSTRUCTIONS = `You are the planner of a team of financial analysis agents.
Decide which specialists this portfolio needs by calling their tools, each with a short reason:
- run_reporter: when the portfolio has at least one position.
- run_charter: when it has at least two positions.
- run_retirement: when the user has retirement goals (years until retirement or a target income).
Call every tool that applies, in one turn if you can, then answer with one line saying whom you chose.
Do not call a tool whose rule does not apply.
${DATA_NOTICE}`;

export const SpecialistChoice = z.object({
  agent: z.enum(SPECIALISTS),
  reason: z.string(),
});
export type SpecialistChoice = z.infer<typeof SpecialistChoice>;

export interface PlannerContext {
  jobId: string;
  decisions: SpecialistChoice[];
}

const Reason = z.object({ reason: z.string().min(1).max(300).describe("Why this specialist is needed, in one sentence") });

function specialistTool(agent: SpecialistName, description: string) {
  return tool({
    name: `run_${agent}`,
    description,
    parameters: Reason,
    async execute({ reason }, runContext?: RunContext<PlannerContext>) {
      const decisions = runContext!.context.decisions;
      if (!decisions.some((d) => d.agent === agent)) decisions.push({ agent, reason });
      return `${agent} scheduled`;
    },
    errorFunction: toolErrorMessage(`run_${agent}`),
  });
}

export const plannerTools = [
  specialistTool("reporter", "Schedule the reporter, who writes the portfolio analysis report."),
  specialistTool("charter", "Schedule the charter, who draws charts of the portfolio."),
  specialistTool("retirement", "Schedule the retirement specialist, who projects retirement outcomes (Monte Carlo)."),
];

export function plannerPrompt(portfolio: Portfolio, valuation: Valuation): string {
  return `Plan the analysis of this portfolio.\n\n${dataBlock("portfolio_summary", planningBrief(portfolio, valuation))}`;
}

/** The offline analyst applies the planner's rules to the same summary its prompt is built from. */
export function plannerPolicy(portfolio: Portfolio, valuation: Valuation): OfflinePolicy {
  const positions = positionCount(portfolio);
  return ({ toolResults }) => {
    if (toolResults.length > 0) {
      const chosen = toolResults.map((r) => r.name.replace("run_", "")).join(", ");
      return { final: `Scheduled: ${chosen}.` };
    }
    const calls = [];
    if (positions > 0) {
      calls.push({ name: "run_reporter", arguments: { reason: `${positions} position(s) worth ${usd(valuation.invested)} to analyse` } });
    }
    if (positions >= 2) {
      calls.push({ name: "run_charter", arguments: { reason: `${positions} positions across ${portfolio.accounts.length} account(s) to visualise` } });
    }
    if (hasRetirementGoals(portfolio)) {
      const years = portfolio.user.years_until_retirement;
      calls.push({
        name: "run_retirement",
        arguments: { reason: years === null ? "the user set a retirement income target" : `retirement is ${years} years away` },
      });
    }
    return calls.length > 0 ? { toolCalls: calls } : { final: "No specialist applies: the portfolio is empty and has no retirement goals." };
  };
}

export interface PlanResult {
  specialists: SpecialistChoice[];
  usage: TokenUsage;
}

/** Snapshots the job owner's portfolio into the job, then lets the planner choose the specialists. */
export async function planAnalysis(deps: AgentDeps, jobId: string): Promise<PlanResult> {
  const job = await requireJob(deps.db, jobId);
  const portfolio = await loadPortfolio(deps.db, job.clerk_user_id);
  if (!portfolio) throw new AgentInputError(`User ${job.clerk_user_id} of job ${jobId} not found`);
  await saveSnapshot(deps.db, jobId, portfolio);
  return runPlanner(deps, jobId, portfolio);
}

export async function runPlanner(deps: AgentDeps, jobId: string, portfolio: Portfolio): Promise<PlanResult> {
  const valuation = valuePortfolio(portfolio);
  const agent = new Agent<PlannerContext>({
    name: "Planner",
    instructions: PLANNER_INSTRUCTIONS,
    tools: plannerTools,
    model: agentModel(deps, "planner", jobId, plannerPolicy(portfolio, valuation)),
  });
  const context: PlannerContext = { jobId, decisions: [] };
  const result = await run(agent, plannerPrompt(portfolio, valuation), { context, maxTurns: 4 });
  const specialists = SPECIALISTS.flatMap((name) => context.decisions.filter((d) => d.agent === name));
  agentLogger("planner", jobId).info("planned", { specialists: specialists.map((s) => s.agent) });
  return { specialists, usage: usageOf(result) };
}
