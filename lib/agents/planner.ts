import { Agent, type RunContext, tool } from "@openai/agents-core";
import { z } from "zod";
import { saveSnapshot } from "../db/repositories/jobs.js";
import { loadJobPortfolio } from "../db/repositories/portfolios.js";
import { agentLogger } from "../logger.js";
import { AGGREGATE_HOLDINGS, aggregatePortfolio, type PortfolioAggregate } from "../portfolio/aggregate.js";
import type { Portfolio } from "../portfolio/types.js";
import { type Valuation, valuePortfolio } from "../portfolio/valuation.js";
import { fundExpenseRatio } from "../retirement/input.js";
import {
  type AgentDeps,
  AgentInputError,
  addUsage,
  DATA_NOTICE,
  dataBlock,
  runAgent,
  runFollowUp,
  snapshotSummary,
  type TokenUsage,
  usageOf,
} from "./common.js";
import { plannerPolicy } from "./offline/planner.js";
import { type PlanDecision, type RequiredSpecialist, requiredSpecialists } from "./plan-rules.js";
import { specialistNames, TEAM, type Team } from "./specialists.js";

export type { PlanDecision } from "./plan-rules.js";

import { writeWithTaskSpans } from "../tracing/job-trace.js";
import { planningBrief } from "./portfolio-brief.js";
import { contextOf, stopWhenToolsSucceed, toolErrorMessage } from "./tools.js";

/** The planner's instructions: one line per specialist of the team, each with its rule. */
const plannerInstructions = (of: Team) => `You are the planner of a team of financial analysis agents.
Decide which specialists this portfolio needs by calling their tools, each with a short reason:
${specialistNames(of)
  .map((agent) => `- run_${agent}: ${of.plans[agent].when}`)
  .join("\n")}
Call every tool that applies, all in one turn: your plan is those calls, no closing text is read.
Do not call a tool whose rule does not apply.
${DATA_NOTICE}`;

export const SpecialistChoice = z.object({
  agent: z.string().min(1),
  reason: z.string(),
});
export type SpecialistChoice = z.infer<typeof SpecialistChoice>;

export interface PlannerContext {
  jobId: string;
  decisions: SpecialistChoice[];
}

export const Reason = z.object({
  reason: z.string().min(1).max(300).describe("Why this specialist is needed, in one sentence"),
});
export type Reason = z.infer<typeof Reason>;

/** What a run_* tool answers once its specialist is scheduled. */
const scheduled = (agent: string) => `${agent} scheduled`;

/** The planner's `run_<agent>` tool: schedules the specialist with the model's reason. */
function specialistTool(agent: string, description: string) {
  return tool({
    name: `run_${agent}`,
    description,
    parameters: Reason,
    async execute({ reason }, runContext?: RunContext<PlannerContext>) {
      const { decisions } = contextOf(runContext);
      if (!decisions.some((d) => d.agent === agent)) decisions.push({ agent, reason });
      return scheduled(agent);
    },
    errorFunction: toolErrorMessage(`run_${agent}`),
  });
}

/** The planner of a team: a `run_<agent>` tool per specialist. */
function plannerFor(of: Team) {
  const names = specialistNames(of);
  return new Agent<PlannerContext>({
    name: "Planner",
    instructions: plannerInstructions(of),
    tools: names.map((agent) => specialistTool(agent, of.plans[agent].tool)),
    // The plan is the tool calls: a turn whose calls all scheduled their specialist ends the run.
    toolUseBehavior: stopWhenToolsSucceed((output) => names.some((agent) => output === scheduled(agent))),
  });
}

export const plannerAgent = plannerFor(TEAM);

export function plannerPrompt(portfolio: Portfolio, valuation: Valuation): string {
  return `Plan the analysis of this portfolio.\n\n${dataBlock("portfolio_summary", planningBrief(portfolio, valuation))}`;
}

export interface PlanResult {
  specialists: SpecialistChoice[];
  /** What the planner's rules require of this portfolio (Finalize job checks the outcomes against it). */
  required: RequiredSpecialist[];
  decision: PlanDecision;
  usage: TokenUsage;
}

/**
 * The aggregate the specialists read: small holdings folded with the fees the retirement model charges them (a
 * published or default expense ratio, never 0 for a fund whose ratio is unknown), so its outlook is the full snapshot's.
 */
export function specialistAggregate(portfolio: Portfolio, valuation: Valuation): PortfolioAggregate {
  return aggregatePortfolio(portfolio, valuation, AGGREGATE_HOLDINGS, (p) => fundExpenseRatio(p).ratio);
}

/**
 * Reads the job owner's portfolio (with the job, one statement), lets the planner choose the specialists,
 * then snapshots the portfolio into the job with the planner's trace (one statement).
 */
export async function planAnalysis(deps: AgentDeps, jobId: string): Promise<PlanResult> {
  const job = await loadJobPortfolio(deps.db, jobId);
  if (!job) throw new AgentInputError(`Job ${jobId} not found`);
  const { portfolio } = job;
  if (!portfolio) throw new AgentInputError(`User ${job.clerk_user_id} of job ${jobId} not found`);
  const valuation = valuePortfolio(portfolio);
  const plan = await runPlanner(deps, jobId, portfolio, valuation);
  const summary = snapshotSummary(valuation);
  const snapshot = { portfolio, aggregate: specialistAggregate(portfolio, valuation) };
  await writeWithTaskSpans([snapshot.aggregate, summary], (spans) =>
    saveSnapshot(deps.db, jobId, snapshot, summary, spans),
  );
  return plan;
}

/**
 * Runs the planner and checks its choice against its rules: a specialist a rule requires but the model
 * left out is asked for once more with tool choice `required`; if still missing, the rule adds it.
 * A choice no rule supports is removed. The decision records which happened.
 */
export async function runPlanner(
  deps: AgentDeps,
  jobId: string,
  portfolio: Portfolio,
  valuation = valuePortfolio(portfolio),
): Promise<PlanResult> {
  const team = deps.team ?? TEAM;
  const names = specialistNames(team);
  const planner = team === TEAM ? plannerAgent : plannerFor(team);
  const context: PlannerContext = { jobId, decisions: [] };
  const run = {
    name: "planner" as const,
    jobId,
    offlinePolicy: plannerPolicy(portfolio, valuation, team),
    context,
    maxTurns: 4,
  };
  const first = await runAgent(deps, planner, plannerPrompt(portfolio, valuation), run);
  let usage = usageOf(first);
  const required = requiredSpecialists(portfolio, team);
  const missing = () => required.filter((r) => !context.decisions.some((d) => d.agent === r.agent));
  const modelChoice = () => names.filter((name) => context.decisions.some((d) => d.agent === name));
  const reminded = missing().length > 0;
  if (reminded) {
    const reminder = { role: "user" as const, content: missingReminder(missing()) };
    const again = await runFollowUp(deps, planner, [...first.history, reminder], {
      ...run,
      modelSettings: { toolChoice: "required" },
    });
    if (again) usage = addUsage(usage, usageOf(again));
  }
  const chosenByModel = modelChoice();
  const added = missing();
  const removed = chosenByModel.filter((name) => !required.some((r) => r.agent === name));
  const byRule = added.map(({ agent, rule }) => ({ agent, reason: `Added by the planner's rules: ${rule}.` }));
  const all = [...context.decisions.filter((d) => !removed.includes(d.agent)), ...byRule];
  const specialists = names.flatMap((name) => all.filter((d) => d.agent === name));
  const source = added.length > 0 || removed.length > 0 ? "model+rules" : reminded ? "model+reminder" : "model";
  const decision: PlanDecision = { source, model_choice: chosenByModel, added: added.map((a) => a.agent), removed };
  agentLogger("planner", jobId).info("planned", { specialists: specialists.map((s) => s.agent), decision });
  return { specialists, required, decision, usage };
}

function missingReminder(missing: RequiredSpecialist[]): string {
  const lines = missing.map(({ agent, rule }) => `- run_${agent}: ${rule}`);
  return `Your plan is missing specialists whose rule applies. Call these tools now, each with a short reason:\n${lines.join("\n")}`;
}
