import { Agent, type RunContext, tool } from "@openai/agents";
import { z } from "zod";
import { loadPortfolio } from "../db/repositories/portfolios.js";
import { saveSnapshot } from "../db/repositories/jobs.js";
import { agentLogger } from "../logger.js";
import type { Portfolio } from "../portfolio/types.js";
import { type Valuation, valuePortfolio } from "../portfolio/valuation.js";
import {
  AgentInputError,
  type AgentDeps,
  DATA_NOTICE,
  dataBlock,
  requireJob,
  runAgent,
  SPECIALISTS,
  type SpecialistName,
  type TokenUsage,
  usageOf,
} from "./common.js";
import { plannerPolicy } from "./offline/planner.js";
import { planningBrief } from "./portfolio-brief.js";
import { contextOf, toolErrorMessage } from "./tools.js";

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

export const Reason = z.object({ reason: z.string().min(1).max(300).describe("Why this specialist is needed, in one sentence") });
export type Reason = z.infer<typeof Reason>;

function specialistTool(agent: SpecialistName, description: string) {
  return tool({
    name: `run_${agent}`,
    description,
    parameters: Reason,
    async execute({ reason }, runContext?: RunContext<PlannerContext>) {
      const { decisions } = contextOf(runContext);
      if (!decisions.some((d) => d.agent === agent)) decisions.push({ agent, reason });
      return `${agent} scheduled`;
    },
    errorFunction: toolErrorMessage(`run_${agent}`),
  });
}

export const runReporter = specialistTool("reporter", "Schedule the reporter, who writes the portfolio analysis report.");
export const runCharter = specialistTool("charter", "Schedule the charter, who draws charts of the portfolio.");
export const runRetirement = specialistTool(
  "retirement",
  "Schedule the retirement specialist, who projects retirement outcomes (Monte Carlo).",
);

export const plannerAgent = new Agent<PlannerContext>({
  name: "Planner",
  instructions: PLANNER_INSTRUCTIONS,
  tools: [runReporter, runCharter, runRetirement],
});

export function plannerPrompt(portfolio: Portfolio, valuation: Valuation): string {
  return `Plan the analysis of this portfolio.\n\n${dataBlock("portfolio_summary", planningBrief(portfolio, valuation))}`;
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
  const context: PlannerContext = { jobId, decisions: [] };
  const result = await runAgent(deps, plannerAgent, plannerPrompt(portfolio, valuation), {
    name: "planner",
    jobId,
    offlinePolicy: plannerPolicy(portfolio, valuation),
    context,
    maxTurns: 4,
  });
  const specialists = SPECIALISTS.flatMap((name) => context.decisions.filter((d) => d.agent === name));
  agentLogger("planner", jobId).info("planned", { specialists: specialists.map((s) => s.agent) });
  return { specialists, usage: usageOf(result) };
}
