import { EXECUTION_TIMEOUT_SECONDS, type TaskArns, type TaskName, taskTimeout } from "./tasks.js";

/** An Amazon States Language definition (JSONPath). Kept as plain JSON values. */
export type StateMachineDefinition = {
  Comment: string;
  StartAt: string;
  TimeoutSeconds: number;
  States: Record<string, State>;
};
type State = Record<string, unknown>;

/** The names a person reads in the Step Functions console (and in the local progress display). */
export const STATE = {
  prepareJob: "Prepare job",
  jobClaimed: "Job claimed?",
  alreadyProcessed: "Already processed",
  instrumentsMissing: "Instruments missing?",
  tagInstruments: "Tag instruments",
  planAnalysis: "Plan analysis",
  runSpecialists: "Run specialists",
  whichSpecialist: "Which specialist?",
  writeReport: "Write report",
  drawCharts: "Draw charts",
  projectRetirement: "Project retirement",
  recordSpecialistFailure: "Record specialist failure",
  unknownSpecialist: "Unknown specialist",
  finalizeJob: "Finalize job",
  jobCompleted: "Job completed?",
  done: "Analysis complete",
  markJobFailed: "Mark job failed",
  jobFailed: "Job failed",
} as const;

/** The Map state that runs each specialist. */
export const SPECIALIST_STATE = {
  reporter: STATE.writeReport,
  charter: STATE.drawCharts,
  retirement: STATE.projectRetirement,
} as const;

/** Errors worth retrying: Lambda's own service errors and a model that stayed throttled. */
const TRANSIENT_ERRORS = [
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.ClientExecutionTimeoutException",
  "Lambda.TooManyRequestsException",
  "ThrottledError",
];

const retryTransientErrors = (attempts: number) => [
  { ErrorEquals: TRANSIENT_ERRORS, IntervalSeconds: 2, MaxAttempts: attempts, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: "FULL" },
];

/**
 * Catch everything and go to `next`. Without `resultPath` the error `{Error, Cause}` replaces the state
 * (the ASL default; aws-local-stepfunctions 3.0.0 mishandles an explicit `"ResultPath": "$"`).
 */
const onAnyErrorGoTo = (next: string, resultPath?: string) => [
  { ErrorEquals: ["States.ALL"], ...(resultPath ? { ResultPath: resultPath } : {}), Next: next },
];

/**
 * A Task calling one function. Every task gets the execution id: Prepare job claims the job for it,
 * Mark job failed only fails a job it owns, and every handler logs it. Inside the Map the ItemSelector
 * carries it in (`$$.Execution` there is the iteration's on some interpreters).
 */
function task(arns: TaskArns, name: TaskName, fields: State & { Parameters: State }, inMap = false): State {
  const { Parameters, ...rest } = fields;
  return {
    Type: "Task",
    Resource: arns[name],
    Parameters: { ...Parameters, "executionId.$": inMap ? "$.executionId" : "$$.Execution.Id" },
    TimeoutSeconds: taskTimeout(name),
    Retry: retryTransientErrors(name === "prepareJob" || name === "finalizeJob" || name === "markJobFailed" ? 3 : 4),
    ...rest,
  };
}

/**
 * Builds the analysis workflow. The same object is executed locally (aws-local-stepfunctions) and
 * deployed (aws.sfn.StateMachine); only the ARNs differ.
 */
export function buildDefinition(arns: TaskArns): StateMachineDefinition {
  const prepareJob = task(arns, "prepareJob", {
    Comment: "Accepts the Pipe's batch of SQS records or {jobId}; claims the job (pending → running).",
    Parameters: { "input.$": "$" },
    Next: STATE.jobClaimed,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const jobClaimed = {
    Type: "Choice",
    Comment: "A job that is not pending was handled by an earlier delivery of the same message.",
    Choices: [{ Variable: "$.claimed", BooleanEquals: false, Next: STATE.alreadyProcessed }],
    Default: STATE.instrumentsMissing,
  };

  const alreadyProcessed = { Type: "Succeed" };

  const instrumentsMissing = {
    Type: "Choice",
    Choices: [{ Variable: "$.missingSymbols[0]", IsPresent: true, Next: STATE.tagInstruments }],
    Default: STATE.planAnalysis,
  };

  const tagInstruments = task(arns, "tagger", {
    Comment: "Classifies held instruments that have no allocations yet.",
    Parameters: { "jobId.$": "$.jobId", "symbols.$": "$.missingSymbols" },
    ResultPath: "$.tagging",
    Next: STATE.planAnalysis,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const planAnalysis = task(arns, "planner", {
    Comment: "Snapshots the portfolio into the job row, then asks the planner which specialists to run.",
    Parameters: { "jobId.$": "$.jobId" },
    ResultPath: "$.plan",
    Next: STATE.runSpecialists,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const specialist = (name: "reporter" | "charter" | "retirement") =>
    task(
      arns,
      name,
      {
        Parameters: { "jobId.$": "$.jobId", "agent.$": "$.agent" },
        End: true,
        Catch: onAnyErrorGoTo(STATE.recordSpecialistFailure, "$.error"),
      },
      true,
    );

  const runSpecialists = {
    Type: "Map",
    Comment: "The chosen specialists run side by side; a failure is recorded for its item and the others finish.",
    ItemsPath: "$.plan.specialists",
    MaxConcurrencyPath: "$.plan.count",
    ItemSelector: { "jobId.$": "$.jobId", "agent.$": "$$.Map.Item.Value.agent", "executionId.$": "$$.Execution.Id" },
    ItemProcessor: {
      ProcessorConfig: { Mode: "INLINE" },
      StartAt: STATE.whichSpecialist,
      States: {
        [STATE.whichSpecialist]: {
          Type: "Choice",
          Choices: Object.entries(SPECIALIST_STATE).map(([agent, state]) => ({ Variable: "$.agent", StringEquals: agent, Next: state })),
          Default: STATE.unknownSpecialist,
        },
        ...Object.fromEntries(Object.entries(SPECIALIST_STATE).map(([agent, state]) => [state, specialist(agent as keyof typeof SPECIALIST_STATE)])),
        [STATE.recordSpecialistFailure]: {
          Type: "Pass",
          Parameters: { "agent.$": "$.agent", status: "failed", "error.$": "$.error" },
          End: true,
        },
        [STATE.unknownSpecialist]: { Type: "Fail", Error: "UnknownSpecialist", Cause: "The planner chose an agent this workflow does not run" },
      },
    },
    ResultPath: "$.results",
    Next: STATE.finalizeJob,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  };

  const finalizeJob = task(arns, "finalizeJob", {
    Comment: "Writes summary_payload; completed if a chosen specialist succeeded (or none was needed), failed otherwise.",
    Parameters: {
      "jobId.$": "$.jobId",
      "plan.$": "$.plan",
      "results.$": "$.results",
      "tagging.$": "$.tagging",
      "prepareMs.$": "$.prepareMs",
      "startedAt.$": "$$.Execution.StartTime",
    },
    Next: STATE.jobCompleted,
    Catch: onAnyErrorGoTo(STATE.markJobFailed),
  });

  const jobCompleted = {
    Type: "Choice",
    Choices: [{ Variable: "$.status", StringEquals: "completed", Next: STATE.done }],
    Default: STATE.jobFailed,
  };

  const markJobFailed = task(arns, "markJobFailed", {
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
      [STATE.instrumentsMissing]: instrumentsMissing,
      [STATE.tagInstruments]: tagInstruments,
      [STATE.planAnalysis]: planAnalysis,
      [STATE.runSpecialists]: runSpecialists,
      [STATE.finalizeJob]: finalizeJob,
      [STATE.jobCompleted]: jobCompleted,
      [STATE.done]: { Type: "Succeed" },
      [STATE.markJobFailed]: markJobFailed,
      [STATE.jobFailed]: { Type: "Fail", Error: "JobFailed", CausePath: "$.reason" },
    },
  };
}

/** The exact text deployed and executed: one serialisation for both. */
export function serializeDefinition(arns: TaskArns): string {
  return JSON.stringify(buildDefinition(arns), null, 2);
}
