import type { StateMachineDefinition as AslDefinition } from "aws-local-stepfunctions";
import { SPECIALIST_STATE, STATE } from "../lib/pipeline/states.js";
import { EXECUTION_TIMEOUT_SECONDS, stepTimeout, TASKS, type TaskArns, type TaskName } from "../lib/pipeline/tasks.js";
import { type Roster, SPECIALIST_ROSTER } from "../lib/roster.js";
import { CAPACITY_RETRY, TAGGER_RESUME_RETRY } from "../lib/scale/limits.js";

/** Re-exported for callers that read the definition and its names together. */
export { SPECIALIST_STATE, STATE };

/**
 * An Amazon States Language definition (JSONPath), typed with the ASL types of aws-local-stepfunctions, the
 * interpreter that runs it locally. (asl-types 1.2.1 predates ItemProcessor/ItemSelector and types `Type` as
 * any string.)
 */
export type StateMachineDefinition = AslDefinition & { Comment: string; TimeoutSeconds: number };
type AslState = AslDefinition["States"][string];
type StateOf<T extends AslState["Type"]> = Extract<AslState, { Type: T }>;
type TaskState = StateOf<"Task">;
type MapState = StateOf<"Map">;
/** The interpreter's type leaves out ProcessorConfig, which AWS requires for an INLINE Map. */
type ItemProcessor = NonNullable<MapState["ItemProcessor"]> & { ProcessorConfig: { Mode: "INLINE" } };
type Payload = Record<string, unknown>;
/** A Task's own fields; {@link task} adds Type, Resource, the execution id, TimeoutSeconds and Retry. */
type TaskFields = DistributiveOmit<TaskState, "Type" | "Resource" | "Parameters"> & { Parameters: Payload };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Errors worth a few retries: Lambda's own service errors. */
const TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.ClientExecutionTimeoutException",
];

/**
 * Backpressure: no capacity now (reserved concurrency full, or the model still throttling) is waited
 * out with capped backoff until the execution's TimeoutSeconds (`lib/scale/limits.ts`); other
 * transient errors get a few quick retries.
 */
const retryTransientErrors = (attempts: number): NonNullable<TaskState["Retry"]> => [
  {
    ErrorEquals: [...CAPACITY_RETRY.errors],
    IntervalSeconds: CAPACITY_RETRY.intervalSeconds,
    MaxAttempts: CAPACITY_RETRY.maxAttempts,
    BackoffRate: CAPACITY_RETRY.backoffRate,
    MaxDelaySeconds: CAPACITY_RETRY.maxDelaySeconds,
    JitterStrategy: CAPACITY_RETRY.jitter,
  },
  {
    ErrorEquals: TRANSIENT_ERRORS,
    IntervalSeconds: 2,
    MaxAttempts: attempts,
    BackoffRate: 2,
    MaxDelaySeconds: 30,
    JitterStrategy: "FULL",
  },
];

/** A tagger attempt out of time stored its work; the next one goes on from there (TAGGER_RESUME_RETRY). */
const resumeTagging = {
  ErrorEquals: [...TAGGER_RESUME_RETRY.errors],
  IntervalSeconds: TAGGER_RESUME_RETRY.intervalSeconds,
  MaxAttempts: TAGGER_RESUME_RETRY.maxAttempts,
  BackoffRate: TAGGER_RESUME_RETRY.backoffRate,
};

/**
 * Catch everything and go to `next`. Without `resultPath` the error `{Error, Cause}` replaces the state
 * (the ASL default; aws-local-stepfunctions 3.0.0 mishandles an explicit `"ResultPath": "$"`).
 */
const onAnyErrorGoTo = (next: string, resultPath?: string): TaskState["Catch"] => [
  { ErrorEquals: ["States.ALL"], ...(resultPath ? { ResultPath: resultPath } : {}), Next: next },
];

/** Bookkeeping tasks: fewer quick retries than the agents. */
const BOOKKEEPING: readonly string[] = ["prepareJob", "refreshPrices", "finalizeJob", "markJobFailed"];

/** The function a Task calls: its task name, ARN, and the Lambda timeout the Task waits a little longer than. */
interface Callee {
  name: string;
  arn: string;
  lambdaTimeoutSeconds: number;
}

/**
 * A Task calling one function. Every task gets the execution id: Prepare job claims the job for it,
 * Mark job failed only fails a job it owns, and every handler logs it. Inside the Map the ItemSelector
 * carries it in (`$$.Execution` there is the iteration's on some interpreters).
 */
function task(callee: Callee, fields: TaskFields, inMap = false): TaskState {
  const { Parameters, ...rest } = fields;
  return {
    Type: "Task",
    Resource: callee.arn,
    Parameters: { ...Parameters, "execution_id.$": inMap ? "$.execution_id" : "$$.Execution.Id" },
    TimeoutSeconds: stepTimeout(callee.lambdaTimeoutSeconds),
    Retry: [
      ...(callee.name === "tagger" ? [resumeTagging] : []),
      ...retryTransientErrors(BOOKKEEPING.includes(callee.name) ? 3 : 4),
    ],
    ...rest,
  };
}

/** The ARN of a task's function (a roster's specialist beyond the registry's needs one too). */
function arnOf(arns: Readonly<Record<string, string>>, name: string): string {
  const arn = arns[name];
  if (!arn) throw new Error(`No function ARN for the ${name} task`);
  return arn;
}

/**
 * Builds the analysis workflow, with a Task in the Map for each specialist of the roster (`lib/roster.ts`;
 * tests add a fixture's). The same object is executed locally (aws-local-stepfunctions) and deployed
 * (aws.sfn.StateMachine); only the ARNs differ.
 */
export function buildDefinition(
  arns: TaskArns & Readonly<Record<string, string>>,
  roster: Roster = SPECIALIST_ROSTER,
): StateMachineDefinition {
  const of = (name: TaskName): Callee => ({
    name,
    arn: arnOf(arns, name),
    lambdaTimeoutSeconds: TASKS[name].timeoutSeconds,
  });
  const prepareJob = task(of("prepareJob"), {
    Comment: "Accepts the job starter's [SQS record] or {jobId}; claims the job (pending → running).",
    Parameters: { "input.$": "$" },
    Next: STATE.jobClaimed,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const jobClaimed: StateOf<"Choice"> = {
    Type: "Choice",
    Comment: "A job that is not pending was handled by an earlier delivery of the same message.",
    Choices: [{ Variable: "$.claimed", BooleanEquals: false, Next: STATE.alreadyProcessed }],
    Default: STATE.refreshPrices,
  };

  const refreshPrices = task(of("refreshPrices"), {
    Comment:
      "Market prices up to the last trading day unless fresh (or no key); a failure is recorded and the job goes on with the last known prices.",
    Parameters: { "latest.$": "$.market_prices" },
    ResultPath: "$.prices",
    Next: STATE.instrumentsMissing,
    Catch: onAnyErrorGoTo(STATE.instrumentsMissing, "$.prices"),
  });

  const alreadyProcessed: StateOf<"Succeed"> = { Type: "Succeed" };

  const instrumentsMissing: StateOf<"Choice"> = {
    Type: "Choice",
    Choices: [{ Variable: "$.untagged", NumericGreaterThan: 0, Next: STATE.tagInstruments }],
    Default: STATE.planAnalysis,
  };

  const tagInstruments = task(of("tagger"), {
    Comment:
      "Classifies held instruments that have no allocations yet (read from the database; only counts travel here).",
    Parameters: { "job_id.$": "$.job_id", "requested.$": "$.untagged" },
    ResultPath: "$.tagging",
    Next: STATE.planAnalysis,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const planAnalysis = task(of("planner"), {
    Comment: "Snapshots the portfolio into the job row, then asks the planner which specialists to run.",
    Parameters: { "job_id.$": "$.job_id" },
    ResultPath: "$.plan",
    Next: STATE.runSpecialists,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const specialist = (name: string) =>
    task(
      { name, arn: arnOf(arns, name), lambdaTimeoutSeconds: roster[name].lambda.timeoutSeconds },
      {
        Parameters: { "job_id.$": "$.job_id", "agent.$": "$.agent" },
        End: true,
        Catch: onAnyErrorGoTo(STATE.recordSpecialistFailure, "$.error"),
      },
      true,
    );

  const specialistProcessor: ItemProcessor = {
    ProcessorConfig: { Mode: "INLINE" },
    StartAt: STATE.whichSpecialist,
    States: {
      [STATE.whichSpecialist]: {
        Type: "Choice",
        Choices: Object.entries(roster).map(([agent, { state }]) => ({
          Variable: "$.agent",
          StringEquals: agent,
          Next: state,
        })),
        Default: STATE.unknownSpecialist,
      },
      ...Object.fromEntries(Object.entries(roster).map(([agent, { state }]) => [state, specialist(agent)])),
      [STATE.recordSpecialistFailure]: {
        Type: "Pass",
        Parameters: { "agent.$": "$.agent", status: "failed", "error.$": "$.error" },
        End: true,
      },
      [STATE.unknownSpecialist]: {
        Type: "Fail",
        Error: "UnknownSpecialist",
        Cause: "The planner chose an agent this workflow does not run",
      },
    },
  };

  const runSpecialists: MapState = {
    Type: "Map",
    Comment: "The chosen specialists run side by side; a failure is recorded for its item and the others finish.",
    ItemsPath: "$.plan.specialists",
    // Every specialist of the roster at once (MAP_MAX_CONCURRENCY, lib/scale/limits.ts, for the registry's).
    MaxConcurrency: Object.keys(roster).length,
    ItemSelector: { "job_id.$": "$.job_id", "agent.$": "$$.Map.Item.Value.agent", "execution_id.$": "$$.Execution.Id" },
    ItemProcessor: specialistProcessor,
    ResultPath: "$.results",
    Next: STATE.finalizeJob,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  };

  const finalizeJob = task(of("finalizeJob"), {
    Comment:
      "Writes summary_payload and ends the job: failed if no chosen specialist succeeded; else the quality gate decides completed or needs_review.",
    Parameters: {
      "job_id.$": "$.job_id",
      "plan.$": "$.plan",
      "results.$": "$.results",
      "tagging.$": "$.tagging",
      "prices.$": "$.prices",
      "prepare_ms.$": "$.prepare_ms",
      "started_at.$": "$$.Execution.StartTime",
    },
    Next: STATE.qualityGate,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const qualityGate: StateOf<"Choice"> = {
    Type: "Choice",
    Comment:
      "Finalize's verdict: completed only when the outputs passed the quality gate; needs_review keeps the outputs with its reasons.",
    Choices: [
      { Variable: "$.status", StringEquals: "completed", Next: STATE.done },
      { Variable: "$.status", StringEquals: "needs_review", Next: STATE.needsReview },
    ],
    Default: STATE.jobFailed,
  };

  const markJobFailed = task(of("markJobFailed"), {
    Comment: "Records the error on the job (if it is still pending or running) so no job is left running.",
    Parameters: { "error.$": "$", "input.$": "$$.Execution.Input" },
    Next: STATE.jobFailed,
  });

  return {
    Comment: "Alex Orchestra: analyse one portfolio job with a team of agents",
    StartAt: STATE.prepareJob,
    TimeoutSeconds: EXECUTION_TIMEOUT_SECONDS,
    States: {
      [STATE.prepareJob]: prepareJob,
      [STATE.jobClaimed]: jobClaimed,
      [STATE.alreadyProcessed]: alreadyProcessed,
      [STATE.refreshPrices]: refreshPrices,
      [STATE.instrumentsMissing]: instrumentsMissing,
      [STATE.tagInstruments]: tagInstruments,
      [STATE.planAnalysis]: planAnalysis,
      [STATE.runSpecialists]: runSpecialists,
      [STATE.finalizeJob]: finalizeJob,
      [STATE.qualityGate]: qualityGate,
      [STATE.done]: { Type: "Succeed" },
      [STATE.needsReview]: {
        Type: "Succeed",
        Comment: "The job ended needs_review: its outputs are stored, with the reasons.",
      },
      [STATE.markJobFailed]: markJobFailed,
      [STATE.jobFailed]: { Type: "Fail", Error: "JobFailed", CausePath: "$.reason" },
    },
  };
}

/** The exact text deployed and executed: one serialisation for both. */
export function serializeDefinition(arns: TaskArns, roster: Roster = SPECIALIST_ROSTER): string {
  return JSON.stringify(buildDefinition(arns, roster), null, 2);
}
