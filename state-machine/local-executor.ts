import { randomUUID } from "node:crypto";
import { StateMachine } from "aws-local-stepfunctions";
import { charter } from "../functions/charter.js";
import { finalizeJob } from "../functions/finalize-job.js";
import { markJobFailed } from "../functions/mark-job-failed.js";
import { planner } from "../functions/planner.js";
import { prepareJob } from "../functions/prepare-job.js";
import { refreshPrices } from "../functions/refresh-prices.js";
import { reporter } from "../functions/reporter.js";
import { retirement } from "../functions/retirement.js";
import { tagger } from "../functions/tagger.js";
import type { AgentDeps } from "../lib/agents/common.js";
import type { Db } from "../lib/db/driver.js";
import { failJob } from "../lib/db/repositories/jobs.js";
import { jobIdsNamedBy } from "../lib/pipeline/job-message.js";
import type { TaskFunction } from "../lib/pipeline/task.js";
import { TASK_NAMES, type TaskArns, type TaskName } from "../lib/pipeline/tasks.js";
import type { SpecialistName } from "../lib/roster.js";
import { buildDefinition, type StateMachineDefinition } from "./definition.js";

/** A placeholder ARN for each task of a local run: the executor binds each to its handler in-process. */
const localArns = (names: readonly string[]): Record<string, string> =>
  Object.fromEntries(names.map((name) => [name, `arn:aws:lambda:us-east-1:000000000000:function:alex-local-${name}`]));

/** Placeholder ARNs for local runs: the executor binds each to its handler in-process. */
export const LOCAL_ARNS = localArns(TASK_NAMES) as TaskArns;

/** The state machine's ARN in local runs (executions are named under it, as on AWS). */
export const LOCAL_STATE_MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:alex-local-analysis";

/** Each specialist's handler (`functions/<name>.ts`): a new row in `lib/roster.ts` is not compiled without its own. */
const SPECIALIST_TASKS: Record<SpecialistName, TaskFunction<unknown>> = { reporter, charter, retirement };

/** The real handler of every task. */
export const TASK_FUNCTIONS: Record<TaskName, TaskFunction<unknown>> = {
  prepareJob,
  refreshPrices,
  tagger,
  planner,
  ...SPECIALIST_TASKS,
  finalizeJob,
  markJobFailed,
};

/** One thing that happened in an execution, for the progress display and the tests. */
export interface ExecutionEvent {
  type: EventLog["type"];
  /** ms since the execution started */
  at: number;
  state?: string;
  /** Map iteration index, for states inside the Map */
  index?: number;
  error?: string;
  output?: unknown;
}

export interface LocalExecution {
  status: "SUCCEEDED" | "FAILED";
  output?: unknown;
  error?: { name: string; message: string };
  events: ExecutionEvent[];
  durationMs: number;
}

export interface LocalRunOptions {
  deps: AgentDeps;
  onEvent?: (event: ExecutionEvent) => void;
  /** Replaces some tasks' handlers (tests inject failures this way). */
  taskFunctions?: Partial<Record<TaskName, TaskFunction<unknown>>>;
  /** The handlers of the specialists `deps.team` adds to the registry's (a test's fixture specialist). */
  specialistTasks?: Readonly<Record<string, TaskFunction<unknown>>>;
  /** Wait between Retry attempts, in ms, or one per retrier (tests use 0; default: the definition's own intervals). */
  retryIntervalMs?: number | number[];
  /** Replaces the definition's TimeoutSeconds: the whole execution's and every Task's (tests shorten them). */
  timeoutSeconds?: { execution?: number; task?: number };
}

/** What {@link taskStates} reads of a state. */
type State = {
  Type: string;
  Resource?: unknown;
  TimeoutSeconds?: number;
  ItemProcessor?: unknown;
  Iterator?: unknown;
  Branches?: unknown;
};
/** An event from aws-local-stepfunctions' `eventLogs` (the package does not export the type). */
type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** Task state names by the task whose ARN they call, including those inside Map and Parallel states. */
export function taskStates(
  definition: StateMachineDefinition,
  arns: Readonly<Record<string, string>>,
): Map<string, string> {
  const byArn = new Map(Object.entries(arns).map(([task, arn]) => [arn, task]));
  const found = new Map<string, string>();
  const visit = (states: Record<string, State>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === "Task") {
        const task = byArn.get(state.Resource as string);
        if (!task) throw new Error(`State "${name}" calls ${String(state.Resource)}, which has no local handler`);
        found.set(name, task);
      }
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, State> } | undefined;
      if (processor) visit(processor.States);
      for (const branch of (state.Branches as { States: Record<string, State> }[] | undefined) ?? [])
        visit(branch.States);
    }
  };
  visit(definition.States);
  return found;
}

/** Makes a thrown error look as Step Functions sees a Lambda error: its name, and a JSON Cause. */
function asLambdaError(error: unknown): Error {
  const original = error instanceof Error ? error : new Error(String(error));
  const lambdaError = new Error(JSON.stringify({ errorType: original.name, errorMessage: original.message }));
  lambdaError.name = original.name;
  return lambdaError;
}

/**
 * Step Functions' payload quota: at most 256 KiB (UTF-8 bytes of the JSON) in a state's input or output
 * ("Step Functions service quotas": "Maximum input or output size for a task, activity, or state: 256 KiB of
 * data as a UTF-8 encoded string"). Past it Step Functions raises `States.DataLimitExceeded`, a terminal error
 * that `States.ALL` does not catch ("Error handling in Step Functions"): the execution fails.
 */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** A state's input or output over {@link STATE_PAYLOAD_LIMIT_BYTES}, as Step Functions names it. */
export class DataLimitExceededError extends Error {
  override name = "States.DataLimitExceeded";
}

/** The error for a payload over the quota, or undefined. */
function overPayloadLimit(what: string, state: string, value: unknown): DataLimitExceededError | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(value ?? null), "utf8");
  if (bytes <= STATE_PAYLOAD_LIMIT_BYTES) return undefined;
  return new DataLimitExceededError(
    `The ${what} of state "${state}" is ${bytes} bytes, over Step Functions' payload quota of ${STATE_PAYLOAD_LIMIT_BYTES} bytes`,
  );
}

const machines = new Map<string, StateMachine>();

/**
 * One machine per definition text. asl-validator's check (ajv, about a second of a CLI start) is left to
 * tests/state-machine/definition.test.ts, which validates this definition with paths and ARNs checked.
 */
function machineFor(definition: StateMachineDefinition): StateMachine {
  const key = JSON.stringify(definition);
  let machine = machines.get(key);
  if (!machine) {
    machine = new StateMachine(structuredClone(definition), {
      validationOptions: { noValidate: true },
    });
    machines.set(key, machine);
  }
  return machine;
}

/**
 * Executes the very definition that is deployed, with aws-local-stepfunctions, each Task bound to its
 * real handler in-process (on the given database and model).
 */
export async function executeLocally(input: unknown, options: LocalRunOptions): Promise<LocalExecution> {
  const roster = options.deps.team?.roster;
  const arns = roster ? { ...LOCAL_ARNS, ...localArns(Object.keys(roster)) } : LOCAL_ARNS;
  const definition = withTimeouts(buildDefinition(arns, roster), options.timeoutSeconds);
  const states = taskStates(definition, arns);
  const functions: Record<string, TaskFunction<unknown>> = {
    ...TASK_FUNCTIONS,
    ...options.specialistTasks,
    ...options.taskFunctions,
  };
  for (const [state, task] of states)
    if (!functions[task]) throw new Error(`State "${state}" runs the ${task} task, which has no local handler`);
  // The payload quota is terminal, as on AWS: the first state over it ends the execution, whatever its Catch.
  let exceeded: DataLimitExceededError | undefined;
  const enforcePayloadLimit = (what: string, state: string, value: unknown) => {
    const error = overPayloadLimit(what, state, value);
    if (!error) return;
    exceeded ??= error;
    execution.abort();
    throw error;
  };
  const handlers = Object.fromEntries(
    [...states].map(([stateName, task]) => [
      stateName,
      async (event: unknown) => {
        enforcePayloadLimit("input", stateName, event);
        let output: unknown;
        try {
          output = await functions[task](event, options.deps);
        } catch (error) {
          throw asLambdaError(error);
        }
        enforcePayloadLimit("output", stateName, output);
        return output as never;
      },
    ]),
  );
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined
      ? undefined
      : Object.fromEntries([...states.keys()].map((name) => [name, options.retryIntervalMs!]));

  const started = performance.now();
  const startedAt = Date.now();
  const name = randomUUID();
  const executionId = `${LOCAL_STATE_MACHINE_ARN.replace(":stateMachine:", ":execution:")}:${name}`;
  const execution = machineFor(definition).run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    context: { Execution: { Id: executionId, Name: name } },
  });
  const events: ExecutionEvent[] = [];
  const collecting = (async () => {
    for await (const log of execution.eventLogs) {
      const event = toExecutionEvent(log, startedAt);
      events.push(event);
      options.onEvent?.(event);
      if (event.type === "StateExited" && !exceeded) {
        exceeded = overPayloadLimit("output", event.state ?? "?", event.output);
        if (exceeded) execution.abort();
      }
    }
  })();
  try {
    if (!exceeded) exceeded = overPayloadLimit("input", "execution", input);
    if (exceeded) execution.abort();
    const output = await execution.result;
    await collecting;
    if (exceeded) throw exceeded;
    return { status: "SUCCEEDED", output, events, durationMs: performance.now() - started };
  } catch (error) {
    await collecting;
    const cause = exceeded ?? (error as { cause?: Error }).cause ?? (error as Error);
    await failJobsOfEndedExecution(options.deps.db, input, executionId, endedReason(error as Error, cause));
    return {
      status: "FAILED",
      error: { name: cause.name, message: cause.message },
      events,
      durationMs: performance.now() - started,
    };
  }
}

/**
 * The local counterpart of the execution-ended rule: an execution that failed, timed out or was aborted
 * fails the jobs its input names that are still pending or running for it (a job the workflow already
 * ended, or another execution owns, is left alone).
 */
async function failJobsOfEndedExecution(db: Db, input: unknown, executionId: string, reason: string) {
  for (const jobId of jobIdsNamedBy(input)) await failJob(db, jobId, reason, executionId);
}

function endedReason(error: Error, cause: Error): string {
  const status =
    error.name === "ExecutionTimeoutError"
      ? "TIMED_OUT"
      : error.name === "ExecutionAbortedError" && !(cause instanceof DataLimitExceededError)
        ? "ABORTED"
        : "FAILED";
  const detail =
    status === "TIMED_OUT"
      ? "the execution exceeded the state machine's TimeoutSeconds"
      : `${cause.name}: ${cause.message}`;
  return `Execution ${status}: ${detail}`;
}

function withTimeouts(
  definition: StateMachineDefinition,
  timeouts: LocalRunOptions["timeoutSeconds"],
): StateMachineDefinition {
  if (!timeouts) return definition;
  const copy = structuredClone(definition);
  if (timeouts.execution !== undefined) copy.TimeoutSeconds = timeouts.execution;
  const visit = (states: Record<string, State>) => {
    for (const state of Object.values(states)) {
      if (state.Type === "Task" && timeouts.task !== undefined) state.TimeoutSeconds = timeouts.task;
      const processor = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, State> } | undefined;
      if (processor) visit(processor.States);
    }
  };
  visit(copy.States as Record<string, State>);
  return copy;
}

function toExecutionEvent(log: EventLog, startedAt: number): ExecutionEvent {
  const event: ExecutionEvent = { type: log.type, at: Math.max(0, log.timestamp - startedAt) };
  if ("state" in log) {
    event.state = log.state.name;
    if (log.index !== undefined) event.index = log.index;
    if (log.type === "StateExited") event.output = log.state.output;
  }
  if ("parentState" in log) {
    event.state = log.parentState.name;
    if ("index" in log) event.index = log.index;
  }
  if ("Error" in log) event.error = `${log.Error}${log.Cause ? `: ${String(log.Cause)}` : ""}`;
  return event;
}
