import { MAX_JOB_SECONDS } from "../scale/limits.js";
/**
 * The Lambda functions behind the state machine's Task states, with the limits each gets.
 * The ASL (Task TimeoutSeconds) and the infrastructure (Lambda memory and timeout) both read this table.
 */
export const TASKS = {
  prepareJob: { handler: "functions/prepare-job.handler", memoryMB: 256, timeoutSeconds: 30, agent: false },
  refreshPrices: { handler: "functions/refresh-prices.handler", memoryMB: 256, timeoutSeconds: 120, agent: false },
  tagger: { handler: "functions/tagger.handler", memoryMB: 512, timeoutSeconds: 300, agent: true },
  planner: { handler: "functions/planner.handler", memoryMB: 512, timeoutSeconds: 120, agent: true },
  reporter: { handler: "functions/reporter.handler", memoryMB: 1024, timeoutSeconds: 300, agent: true },
  charter: { handler: "functions/charter.handler", memoryMB: 512, timeoutSeconds: 300, agent: true },
  retirement: { handler: "functions/retirement.handler", memoryMB: 1024, timeoutSeconds: 300, agent: true },
  finalizeJob: { handler: "functions/finalize-job.handler", memoryMB: 256, timeoutSeconds: 30, agent: false },
  markJobFailed: { handler: "functions/mark-job-failed.handler", memoryMB: 256, timeoutSeconds: 30, agent: false },
} as const;

export type TaskName = keyof typeof TASKS;

/** The function ARN (or, locally, any unique id) of each task. */
export type TaskArns = Record<TaskName, string>;

export const TASK_NAMES = Object.keys(TASKS) as TaskName[];

/** Step Functions waits a little longer than Lambda itself, so Lambda's own timeout error is what surfaces. */
export const taskTimeout = (task: TaskName) => TASKS[task].timeoutSeconds + 5;

/**
 * The whole execution's TimeoutSeconds: past it, Step Functions ends the execution as TIMED_OUT. It is
 * the backpressure wait's limit (`lib/scale/limits.ts`): a job waits for capacity until then.
 */
export const EXECUTION_TIMEOUT_SECONDS = MAX_JOB_SECONDS;

/** How long after the execution timeout the sweeper fails a job nothing has ended. */
export const SWEEP_GRACE_SECONDS = 600;
