import { JOB_STARTER, JOBS_MAX_RECEIVE_COUNT, JOBS_VISIBILITY_TIMEOUT_SECONDS } from "../lib/infra/functions.js";
import { EXECUTION_ENDED_INVOKE, jobStarterGrants } from "../lib/infra/permissions.js";
import { JOB_STARTER_BATCH_SIZE, JOB_STARTER_MAX_CONCURRENCY } from "../lib/pipeline/admission.js";
import { executionEndedPattern } from "../lib/pipeline/events.js";
import { EXECUTION_TIMEOUT_SECONDS, SWEEP_GRACE_SECONDS, TASK_NAMES, type TaskName } from "../lib/pipeline/tasks.js";
import { modelQuotaFromEnv, scaleLimits } from "../lib/scale/limits.js";
import type { AwsContext } from "./context.js";
import type { Functions } from "./functions.js";
import { analysisStateMachine } from "./state-machine.js";

/** The jobs queue and its dead-letter queue (created before the functions: the consumer's grants name it). */
export function jobQueues() {
  const deadLetters = new sst.aws.Queue("JobsDeadLetters", {
    transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
  });
  const jobs = new sst.aws.Queue("Jobs", {
    dlq: { queue: deadLetters.arn, retry: JOBS_MAX_RECEIVE_COUNT },
    visibilityTimeout: `${JOBS_VISIBILITY_TIMEOUT_SECONDS} seconds`,
  });
  return { jobs, deadLetters };
}

/**
 * Every job ends. Jobs arrive on the `Jobs` queue; the job starter starts one analysis execution per
 * message while the model quota has room for it (admission control), the rest wait in the queue; an
 * execution that fails, times out or is aborted marks its job failed; a message that is never started
 * ends in `JobsDeadLetters`, whose consumer fails the job it names (and raises an alarm); a schedule
 * fails any job left pending or running beyond the machine's timeout.
 */
export function pipeline(args: { functions: Functions; ctx: AwsContext; queues: ReturnType<typeof jobQueues> }) {
  const { functions, ctx, queues } = args;
  deadLetterAlarm(queues.deadLetters.nodes.queue.name);
  const arns = Object.fromEntries(TASK_NAMES.map((task) => [task, functions[task].arn])) as Record<
    TaskName,
    $util.Output<string>
  >;
  const { machine } = analysisStateMachine({ arns, account: ctx.account });
  pipelineAlarms({
    jobsQueueName: queues.jobs.nodes.queue.name,
    deadLettersQueueName: queues.deadLetters.nodes.queue.name,
    stateMachineArn: machine.arn,
  });
  const starter = jobStarter({
    queueArn: queues.jobs.arn,
    stateMachineArn: machine.arn,
    region: ctx.region,
    maxRunningJobs: scaleLimits(modelQuotaFromEnv(process.env)).maxRunningJobs,
  });
  jobStarterSource({ queueArn: queues.jobs.arn, fn: starter });
  executionEndedRule({ stateMachineArn: machine.arn, fn: functions.executionEnded });
  deadLetterConsumer({ queueArn: queues.deadLetters.arn, fn: functions.deadLetters });
  sweepSchedule({ fn: functions.sweepJobs });
  return { ...queues, machine };
}

/** The dead-letter consumer reads `JobsDeadLetters` ten at a time, reporting failed records one by one. */
export function deadLetterConsumer(args: { queueArn: $util.Input<string>; fn: { name: $util.Input<string> } }) {
  return new aws.lambda.EventSourceMapping("JobsDeadLetterConsumer", {
    eventSourceArn: args.queueArn,
    functionName: args.fn.name,
    batchSize: 10,
    functionResponseTypes: ["ReportBatchItemFailures"],
  });
}

/** Sweeps stuck jobs every 10 minutes (EventBridge schedule → the sweep function, only from this rule). */
export function sweepSchedule(args: { fn: { arn: $util.Input<string>; name: $util.Input<string> } }) {
  const rule = new aws.cloudwatch.EventRule("SweepStuckJobsSchedule", {
    description: `Fails jobs pending or running beyond the analysis timeout (${EXECUTION_TIMEOUT_SECONDS} s)`,
    scheduleExpression: "rate(10 minutes)",
  });
  new aws.lambda.Permission("SweepStuckJobsInvoke", {
    ...EXECUTION_ENDED_INVOKE,
    function: args.fn.name,
    sourceArn: rule.arn,
  });
  new aws.cloudwatch.EventTarget("SweepStuckJobsTarget", { rule: rule.name, arn: args.fn.arn });
  return rule;
}

/**
 * Admission control (lib/pipeline/admission.ts): the function that starts an execution per job message
 * while fewer than `maxRunningJobs` run, and returns the other messages to the queue.
 */
export function jobStarter(args: {
  queueArn: $util.Input<string>;
  stateMachineArn: $util.Input<string>;
  region: $util.Input<string>;
  maxRunningJobs: number;
}) {
  return new sst.aws.Function(JOB_STARTER.resource, {
    handler: JOB_STARTER.handler,
    runtime: "nodejs22.x",
    architecture: "arm64",
    memory: `${JOB_STARTER.memoryMB} MB`,
    timeout: `${JOB_STARTER.timeoutSeconds} seconds`,
    environment: {
      ALEX_STATE_MACHINE_ARN: args.stateMachineArn,
      ALEX_MAX_RUNNING_JOBS: String(args.maxRunningJobs),
      DEFAULT_AWS_REGION: args.region,
      ALEX_LOG_LEVEL: "INFO",
    },
    permissions: jobStarterGrants({ queueArn: args.queueArn, stateMachineArn: args.stateMachineArn }),
    nodejs: { format: "esm", minify: true, plugins: "./stacks/bundle-plugins.mjs" },
    dev: false,
  });
}

/**
 * The jobs queue → the job starter, ten messages a batch, at most two invocations at once (the SQS
 * event source's maximum concurrency; 2 is its minimum), reporting the messages it did not start.
 */
export function jobStarterSource(args: { queueArn: $util.Input<string>; fn: { name: $util.Input<string> } }) {
  return new aws.lambda.EventSourceMapping("JobStarterSource", {
    eventSourceArn: args.queueArn,
    functionName: args.fn.name,
    batchSize: JOB_STARTER_BATCH_SIZE,
    functionResponseTypes: ["ReportBatchItemFailures"],
    scalingConfig: { maximumConcurrency: JOB_STARTER_MAX_CONCURRENCY },
  });
}

/** Executions that end FAILED, TIMED_OUT or ABORTED invoke `functions/execution-ended.ts`. */
export function executionEndedRule(args: {
  stateMachineArn: $util.Input<string>;
  fn: { arn: $util.Input<string>; name: $util.Input<string> };
}) {
  const rule = new aws.cloudwatch.EventRule("AnalysisExecutionEnded", {
    description: "Analysis executions that failed, timed out or were aborted",
    eventPattern: $resolve([args.stateMachineArn]).apply(([arn]) => JSON.stringify(executionEndedPattern(arn))),
  });
  new aws.lambda.Permission("AnalysisExecutionEndedInvoke", {
    ...EXECUTION_ENDED_INVOKE,
    function: args.fn.name,
    sourceArn: rule.arn,
  });
  new aws.cloudwatch.EventTarget("AnalysisExecutionEndedTarget", { rule: rule.name, arn: args.fn.arn });
  return rule;
}

/** Any message that reached the dead-letter queue is worth a look (the consumer deletes it soon after, so count receives). */
export function deadLetterAlarm(queueName: $util.Input<string>) {
  return new aws.cloudwatch.MetricAlarm("JobsDeadLettersAlarm", {
    alarmDescription: "Job messages reached the dead-letter queue: they never started an analysis",
    namespace: "AWS/SQS",
    metricName: "NumberOfMessagesReceived",
    dimensions: { QueueName: queueName },
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  });
}

/**
 * Alarms on the backpressure (docs/scale.md, "Alarms"): Lambda refusing invocations anywhere in the
 * account, Step Functions throttling this machine's executions, a job message older than half of what the
 * sweeper allows a pending job, and dead letters the consumer has not cleared. No actions: subscribe an
 * SNS topic in the console or add `alarmActions` here.
 */
export function pipelineAlarms(args: {
  jobsQueueName: $util.Input<string>;
  deadLettersQueueName: $util.Input<string>;
  stateMachineArn: $util.Input<string>;
}) {
  const fiveMinutes = { period: 300, treatMissingData: "notBreaching", comparisonOperator: "GreaterThanThreshold" };
  return [
    new aws.cloudwatch.MetricAlarm("LambdaThrottlesAlarm", {
      ...fiveMinutes,
      alarmDescription:
        "Lambda refused invocations (account concurrency, or a reservation): tasks are waiting in Retry",
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      statistic: "Sum",
      threshold: 0,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    }),
    new aws.cloudwatch.MetricAlarm("ExecutionThrottledAlarm", {
      ...fiveMinutes,
      alarmDescription: "Step Functions throttled the analysis machine (StartExecution or state transitions)",
      namespace: "AWS/States",
      metricName: "ExecutionThrottled",
      dimensions: { StateMachineArn: args.stateMachineArn },
      statistic: "Sum",
      threshold: 0,
      evaluationPeriods: 1,
    }),
    new aws.cloudwatch.MetricAlarm("JobsQueueAgeAlarm", {
      ...fiveMinutes,
      alarmDescription: `A job has waited for admission over ${JOBS_QUEUE_AGE_ALARM_SECONDS} s (the sweeper fails it at ${EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS} s): the model quota is short of the load`,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: args.jobsQueueName },
      statistic: "Maximum",
      threshold: JOBS_QUEUE_AGE_ALARM_SECONDS,
      evaluationPeriods: 1,
    }),
    new aws.cloudwatch.MetricAlarm("JobsDeadLettersDepthAlarm", {
      ...fiveMinutes,
      alarmDescription: "Dead letters stay in the queue: the dead-letter consumer is failing to fail their jobs",
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: args.deadLettersQueueName },
      statistic: "Maximum",
      threshold: 0,
      evaluationPeriods: 3,
    }),
  ];
}

/** Half of how long the sweeper lets a job stay pending. */
export const JOBS_QUEUE_AGE_ALARM_SECONDS = (EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS) / 2;
