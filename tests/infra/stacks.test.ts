import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { jobStarterGrants, policyDocument, stateMachineGrants, trustPolicy } from "../../lib/infra/permissions.js";
import { executionEndedPattern } from "../../lib/pipeline/events.js";
import { EXECUTION_TIMEOUT_SECONDS, SWEEP_GRACE_SECONDS, TASK_NAMES, type TaskArns } from "../../lib/pipeline/tasks.js";
import { serializeDefinition } from "../../state-machine/definition.js";

/**
 * Runs the stacks' raw-Pulumi parts under Pulumi's mocks (`runtime.setMocks`) with the platform's own
 * `@pulumi/pulumi` and `@pulumi/aws` (installed in `.sst/platform` by `sst install`), and checks the
 * inputs they would send to AWS — above all that the deployed definition is byte for byte the one
 * the local tests execute.
 */
const PLATFORM = resolve(".sst/platform/package.json");
const installed = existsSync(resolve(".sst/platform/node_modules/@pulumi/aws/package.json"));

/** CI sets this after `sst install`, so a missing platform fails instead of skipping. */
if (!installed && process.env.ALEX_REQUIRE_SST_PLATFORM === "1") {
  describe("stacks under Pulumi mocks", () => {
    it("needs `sst install` (ALEX_REQUIRE_SST_PLATFORM=1)", () => {
      expect.fail("Run: SST_SKIP_DEPENDENCY_CHECK=1 SST_TELEMETRY_DISABLED=1 SST_NO_BUN=1 npx sst install --stage dev");
    });
  });
}

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, any>;
}

type Out<T> = { apply<U>(f: (value: T) => U): unknown };

/** The part of `@pulumi/pulumi` this test uses (the package lives only in `.sst/platform`). */
interface Pulumi {
  runtime: {
    setMocks(
      mocks: {
        newResource(args: Registered): { id: string; state: Record<string, unknown> };
        call(args: { token: string; inputs: Record<string, unknown> }): Record<string, unknown>;
      },
      project: string,
      stack: string,
      preview: boolean,
    ): Promise<void>;
  };
  all: unknown;
  interpolate: unknown;
  output<T>(value: T): Out<T>;
}

interface StateMachineStack {
  analysisStateMachine(args: { arns: Record<string, unknown>; account: unknown }): { machine: { arn: Out<string> } };
}
interface PipelineStack {
  jobStarter(args: { queueArn: unknown; stateMachineArn: unknown; region: unknown; maxRunningJobs: number }): {
    name: string;
  };
  jobStarterSource(args: { queueArn: unknown; fn: { name: unknown } }): { urn: Out<string> };
  executionEndedRule(args: { stateMachineArn: unknown; fn: { arn: unknown; name: unknown } }): { urn: Out<string> };
  deadLetterAlarm(queueName: unknown): { urn: Out<string> };
  pipelineAlarms(args: { jobsQueueName: unknown; deadLettersQueueName: unknown; stateMachineArn: unknown }): {
    urn: Out<string>;
  }[];
}

const ACCOUNT = "123456789012";
const ARNS = Object.fromEntries(
  TASK_NAMES.map((task) => [task, `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:alex-orchestra-test-${task}`]),
) as TaskArns;

/** SST's Function, replaced by a recorder of its arguments (it is an SST component, not raw Pulumi). */
const recordedFunctions = new Map<string, Record<string, any>>();
class RecordedFunction {
  name: string;
  constructor(name: string, args: Record<string, any>) {
    recordedFunctions.set(name, args);
    this.name = name;
  }
}

describe.skipIf(!installed)("stacks under Pulumi mocks (needs `sst install`)", () => {
  const registered: Registered[] = [];
  let pulumi: Pulumi;
  let stateMachineStack: StateMachineStack;
  let pipelineStack: PipelineStack;

  const settled = <T>(output: Out<T>) => new Promise<T>((done) => output.apply(done));
  const one = (type: string) => {
    const found = registered.filter((r) => r.type === type);
    expect(found, type).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    const require = createRequire(PLATFORM);
    pulumi = require("@pulumi/pulumi");
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          const arn = args.inputs.arn ?? `arn:aws:mock:eu-west-1:${ACCOUNT}:${args.type.split(":").pop()}/${args.name}`;
          return { id: `${args.name}-id`, state: { ...args.inputs, arn, name: args.inputs.name ?? args.name } };
        },
        call: (args) => args.inputs,
      },
      "alex-orchestra",
      "test",
      false,
    );
    Object.assign(globalThis, {
      aws: require("@pulumi/aws"),
      sst: { aws: { Function: RecordedFunction } },
      $app: { name: "alex-orchestra", stage: "test", removal: "remove" },
      $resolve: pulumi.all,
      $interpolate: pulumi.interpolate,
    });
    // Imported by computed URL: the stacks use SST's globals, which only tsconfig.sst.json declares.
    stateMachineStack = await import(pathToFileURL(resolve("stacks/state-machine.ts")).href);
    pipelineStack = await import(pathToFileURL(resolve("stacks/pipeline.ts")).href);
  });

  it("deploys exactly serializeDefinition(arns), resolving the function ARNs", async () => {
    const arns = { ...ARNS, tagger: pulumi.output(ARNS.tagger), reporter: pulumi.output(ARNS.reporter) };
    const { machine } = stateMachineStack.analysisStateMachine({ arns, account: ACCOUNT });
    await settled(machine.arn);

    const inputs = one("aws:sfn/stateMachine:StateMachine").inputs;
    expect(inputs.definition).toBe(serializeDefinition(ARNS));
    expect(inputs.type).toBe("STANDARD");
    expect(inputs.name).toBe("alex-orchestra-test-analysis");
    expect(inputs.tracingConfiguration).toEqual({ enabled: true });

    const logGroup = one("aws:cloudwatch/logGroup:LogGroup").inputs;
    expect(logGroup.name).toBe("/aws/vendedlogs/states/alex-orchestra-test-analysis");
    expect(inputs.loggingConfiguration).toEqual({
      level: "ERROR",
      includeExecutionData: false,
      logDestination: `arn:aws:mock:eu-west-1:${ACCOUNT}:LogGroup/AnalysisStateMachineLogs:*`,
    });

    expect(one("aws:iam/rolePolicy:RolePolicy").inputs.policy).toBe(
      policyDocument(stateMachineGrants(Object.values(ARNS))),
    );
    expect(one("aws:iam/role:Role").inputs.assumeRolePolicy).toBe(trustPolicy("states.amazonaws.com", ACCOUNT));
  });

  it("starts executions through the job starter: batches of 10, two at once, unstarted messages reported back", async () => {
    registered.length = 0;
    recordedFunctions.clear();
    const queueArn = `arn:aws:sqs:eu-west-1:${ACCOUNT}:jobs`;
    const stateMachineArn = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:alex-orchestra-test-analysis`;
    const fn = pipelineStack.jobStarter({ queueArn, stateMachineArn, region: "eu-west-1", maxRunningJobs: 7 });
    const source = pipelineStack.jobStarterSource({ queueArn, fn });
    await settled(source.urn);

    expect(one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs).toMatchObject({
      eventSourceArn: queueArn,
      functionName: "JobStarter",
      batchSize: 10,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: 2 },
    });
    const args = recordedFunctions.get("JobStarter");
    expect(args?.handler).toBe("functions/start-jobs.handler");
    expect(args?.environment).toMatchObject({
      ALEX_STATE_MACHINE_ARN: stateMachineArn,
      ALEX_MAX_RUNNING_JOBS: "7",
      DEFAULT_AWS_REGION: "eu-west-1",
    });
    expect(args?.permissions).toEqual(jobStarterGrants({ queueArn, stateMachineArn }));
    expect(args?.concurrency).toBeUndefined();
    expect(registered.filter((r) => r.type === "aws:pipes/pipe:Pipe")).toEqual([]);
  });

  it("sends failed, timed-out and aborted executions of this machine to the execution-ended function", async () => {
    registered.length = 0;
    const stateMachineArn = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:alex-orchestra-test-analysis`;
    const fn = { arn: `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:ended`, name: "ended" };
    const rule = pipelineStack.executionEndedRule({ stateMachineArn, fn });
    await settled(rule.urn);
    await new Promise((done) => setTimeout(done, 50));

    const ruleInputs = one("aws:cloudwatch/eventRule:EventRule").inputs;
    expect(JSON.parse(ruleInputs.eventPattern)).toEqual(executionEndedPattern(stateMachineArn));
    expect(executionEndedPattern(stateMachineArn).detail.status).toEqual(["FAILED", "TIMED_OUT", "ABORTED"]);
    const ruleArn = `arn:aws:mock:eu-west-1:${ACCOUNT}:EventRule/AnalysisExecutionEnded`;
    expect(one("aws:cloudwatch/eventTarget:EventTarget").inputs).toMatchObject({
      arn: fn.arn,
      rule: "AnalysisExecutionEnded",
    });
    expect(one("aws:lambda/permission:Permission").inputs).toMatchObject({
      action: "lambda:InvokeFunction",
      function: "ended",
      principal: "events.amazonaws.com",
      sourceArn: ruleArn,
    });
  });

  it("alarms as soon as a message reaches the dead-letter queue", async () => {
    registered.length = 0;
    const alarm = pipelineStack.deadLetterAlarm("alex-orchestra-test-JobsDeadLettersQueue");
    await settled(alarm.urn);
    expect(one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "NumberOfMessagesReceived",
      dimensions: { QueueName: "alex-orchestra-test-JobsDeadLettersQueue" },
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
    });
  });

  it("alarms on Lambda throttles, execution throttles, the jobs queue's age and dead letters left in their queue", async () => {
    registered.length = 0;
    const stateMachineArn = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:alex-orchestra-test-analysis`;
    const alarms = pipelineStack.pipelineAlarms({
      jobsQueueName: "alex-orchestra-test-JobsQueue",
      deadLettersQueueName: "alex-orchestra-test-JobsDeadLettersQueue",
      stateMachineArn,
    });
    await Promise.all(alarms.map((alarm) => settled(alarm.urn)));
    const byName = Object.fromEntries(
      registered.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm").map((r) => [r.name, r.inputs]),
    );
    expect(byName.LambdaThrottlesAlarm).toMatchObject({
      namespace: "AWS/Lambda",
      metricName: "Throttles",
      threshold: 0,
    });
    expect(byName.LambdaThrottlesAlarm.dimensions).toBeUndefined();
    expect(byName.ExecutionThrottledAlarm).toMatchObject({
      namespace: "AWS/States",
      metricName: "ExecutionThrottled",
      dimensions: { StateMachineArn: stateMachineArn },
    });
    expect(byName.JobsQueueAgeAlarm).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: "alex-orchestra-test-JobsQueue" },
      statistic: "Maximum",
      threshold: (EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS) / 2,
    });
    expect(byName.JobsDeadLettersDepthAlarm).toMatchObject({
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: "alex-orchestra-test-JobsDeadLettersQueue" },
      threshold: 0,
    });
  });
});
