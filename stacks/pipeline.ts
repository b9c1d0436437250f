import { executionEndedPattern } from "../lib/pipeline/events.js";
import { JOBS_MAX_RECEIVE_COUNT, JOBS_VISIBILITY_TIMEOUT_SECONDS } from "../lib/infra/functions.js";
import { physicalName } from "../lib/infra/names.js";
import { EXECUTION_ENDED_INVOKE, pipeGrants, policyDocument, trustPolicy } from "../lib/infra/permissions.js";
import { TASK_NAMES, type TaskName } from "../lib/pipeline/tasks.js";
import type { AwsContext } from "./context.js";
import type { Functions } from "./functions.js";
import { analysisStateMachine } from "./state-machine.js";

/**
 * Jobs arrive on the `Jobs` queue; an EventBridge Pipe starts one analysis execution per message;
 * an execution that fails, times out or is aborted marks its job failed; messages that cannot be
 * handed to Step Functions end in `JobsDeadLetters`, which raises an alarm.
 */
export function pipeline({ functions, ctx }: { functions: Functions; ctx: AwsContext }) {
  const deadLetters = new sst.aws.Queue("JobsDeadLetters", {
    transform: { queue: { messageRetentionSeconds: 14 * 24 * 3600 } },
  });
  const jobs = new sst.aws.Queue("Jobs", {
    dlq: { queue: deadLetters.arn, retry: JOBS_MAX_RECEIVE_COUNT },
    visibilityTimeout: `${JOBS_VISIBILITY_TIMEOUT_SECONDS} seconds`,
  });
  deadLetterAlarm(deadLetters.nodes.queue.name);

  const arns = Object.fromEntries(TASK_NAMES.map((task) => [task, functions[task].arn])) as Record<TaskName, $util.Output<string>>;
  const { machine } = analysisStateMachine({ arns, account: ctx.account });
  jobsPipe({ queueArn: jobs.arn, stateMachineArn: machine.arn, account: ctx.account });
  executionEndedRule({ stateMachineArn: machine.arn, fn: functions.executionEnded });
  return { jobs, deadLetters, machine };
}

/** SQS → Step Functions, one message per execution, no input template: the machine gets `[record]`. */
export function jobsPipe(args: { queueArn: $util.Input<string>; stateMachineArn: $util.Input<string>; account: $util.Input<string> }) {
  const role = new aws.iam.Role("JobsPipeRole", {
    assumeRolePolicy: $resolve([args.account]).apply(([id]) => trustPolicy("pipes.amazonaws.com", id)),
  });
  const policy = new aws.iam.RolePolicy("JobsPipePolicy", {
    role: role.id,
    policy: $resolve([args.queueArn, args.stateMachineArn]).apply(([queueArn, stateMachineArn]) =>
      policyDocument(pipeGrants({ queueArn, stateMachineArn })),
    ),
  });
  return new aws.pipes.Pipe(
    "JobsPipe",
    {
      name: physicalName([$app.name, $app.stage, "jobs"], 64),
      roleArn: role.arn,
      source: args.queueArn,
      target: args.stateMachineArn,
      sourceParameters: { sqsQueueParameters: { batchSize: 1, maximumBatchingWindowInSeconds: 0 } },
      targetParameters: { stepFunctionStateMachineParameters: { invocationType: "FIRE_AND_FORGET" } },
    },
    { dependsOn: [policy] },
  );
}

/** Executions that end FAILED, TIMED_OUT or ABORTED invoke `functions/execution-ended.ts`. */
export function executionEndedRule(args: { stateMachineArn: $util.Input<string>; fn: { arn: $util.Input<string>; name: $util.Input<string> } }) {
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

/** Any message in the dead-letter queue is worth a look. */
export function deadLetterAlarm(queueName: $util.Input<string>) {
  return new aws.cloudwatch.MetricAlarm("JobsDeadLettersAlarm", {
    alarmDescription: "Job messages reached the dead-letter queue: they never started an analysis",
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 0,
    comparisonOperator: "GreaterThanThreshold",
    treatMissingData: "notBreaching",
  });
}
