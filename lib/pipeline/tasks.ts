import { type AgentLambda, LEAD_AGENTS, SPECIALIST_ROSTER, type SpecialistName } from "../roster.js";
import { MAX_JOB_SECONDS } from "../scale/limits.js";

/** A Task's function: its handler and limits, and whether it calls the model. */
export interface TaskSpec {
  handler: string;
  memoryMB: number;
  timeoutSeconds: number;
  agent: boolean;
}

const agentTask = ({ handler, memoryMB, timeoutSeconds }: AgentLambda): TaskSpec => ({
  handler,
  memoryMB,
  timeoutSeconds,
  agent: true,
});

const SPECIALIST_LIMITS = Object.fromEntries(
  Object.entries(SPECIALIST_ROSTER).map(([name, row]) => [name, agentTask(row.lambda)]),
) as Record<SpecialistName, TaskSpec>;

/**
 * The Lambda functions behind the state machine's Task states, with the limits each gets: the agents' from
 * `lib/roster.ts`. The ASL (Task TimeoutSeconds) and the infrastructure (Lambda memory and timeout) both read this table.
 */
export const TASKS = {
  prepareJob: { handler: "functions/prepare-job.handler", memoryMB: 256, timeoutSeconds: 30, agent: false },
  refreshPrices: { handler: "functions/refresh-prices.handler", memoryMB: 256, timeoutSeconds: 120, agent: false },
  tagger: agentTask(LEAD_AGENTS.tagger),
  planner: agentTask(LEAD_AGENTS.planner),
  ...SPECIALIST_LIMITS,
  finalizeJob: { handler: "functions/finalize-job.handler", memoryMB: 256, timeoutSeconds: 30, agent: false },
  markJobFailed: { handler: "functions/mark-job-failed.handler", memoryMB: 256, timeoutSeconds: 30, agent: false },
} satisfies Record<string, TaskSpec>;

export type TaskName = keyof typeof TASKS;

/** The function ARN (or, locally, any unique id) of each task. */
export type TaskArns = Record<TaskName, string>;

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

/** Step Functions waits a little longer than Lambda itself, so Lambda's own timeout error is what surfaces. */
export const stepTimeout = (lambdaTimeoutSeconds: number) => lambdaTimeoutSeconds + 5;

/** A task's Step Functions timeout. */
export const taskTimeout = (task: TaskName) => stepTimeout(TASKS[task].timeoutSeconds);

/**
 * The whole execution's TimeoutSeconds: past it, Step Functions ends the execution as TIMED_OUT. It is
 * the backpressure wait's limit (`lib/scale/limits.ts`): a job waits for capacity until then.
 */
export const EXECUTION_TIMEOUT_SECONDS = MAX_JOB_SECONDS;

/** How long after the execution timeout the sweeper fails a job nothing has ended. */
export const SWEEP_GRACE_SECONDS = 600;
