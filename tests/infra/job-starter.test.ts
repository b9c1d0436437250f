import { ExecutionAlreadyExists, ListExecutionsCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { ChangeMessageVisibilityCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { ADMISSION_RETRY_SECONDS, JOBS_MAX_RECEIVE_COUNT } from "../../lib/pipeline/admission.js";
import { createJobStarterHandler, queueUrlOf, starterSettings } from "../../lib/pipeline/job-starter.js";
import { EXECUTION_TIMEOUT_SECONDS, SWEEP_GRACE_SECONDS } from "../../lib/pipeline/tasks.js";

const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:alex-orchestra-test-analysis";
const QUEUE = "arn:aws:sqs:eu-west-1:123456789012:alex-orchestra-test-JobsQueue";
const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
afterEach(() => {
  sfn.reset();
  sqs.reset();
});

const record = (i: number): SQSRecord =>
  ({
    messageId: `m-${i}`,
    receiptHandle: `rh-${i}`,
    body: JSON.stringify({ job_id: `job-${i}` }),
    eventSourceARN: QUEUE,
  }) as SQSRecord;
const event = (n: number): SQSEvent => ({ Records: Array.from({ length: n }, (_, i) => record(i)) });
const handler = (maxRunning = 3) =>
  createJobStarterHandler({
    sfn: new SFNClient({ region: "eu-west-1" }),
    sqs: new SQSClient({ region: "eu-west-1" }),
    env: { ALEX_STATE_MACHINE_ARN: MACHINE, ALEX_MAX_RUNNING_JOBS: String(maxRunning) },
  });
const running = (n: number) =>
  sfn.on(ListExecutionsCommand).resolves({
    executions: Array.from({ length: n }, (_, i) => ({
      executionArn: `${MACHINE}:e${i}`,
      stateMachineArn: MACHINE,
      name: `e${i}`,
      status: "RUNNING",
      startDate: new Date(),
    })),
  });

describe("the job starter (admission control)", () => {
  it("starts only as many executions as the budget has room for and hands the rest back to the queue", async () => {
    running(1);
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn", startDate: new Date() });
    const result = await handler(3)(event(5));

    const started = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(started.map((i) => i.name)).toEqual(["m-0", "m-1"]);
    expect(started[0]).toMatchObject({ stateMachineArn: MACHINE, input: JSON.stringify([record(0)]) });
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input).toMatchObject({
      stateMachineArn: MACHINE,
      statusFilter: "RUNNING",
      maxResults: 3,
    });
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: "m-2" },
      { itemIdentifier: "m-3" },
      { itemIdentifier: "m-4" },
    ]);
    const deferred = sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input);
    expect(deferred).toEqual(
      [2, 3, 4].map((i) => ({
        QueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/alex-orchestra-test-JobsQueue",
        ReceiptHandle: `rh-${i}`,
        VisibilityTimeout: ADMISSION_RETRY_SECONDS,
      })),
    );
  });

  it("starts nothing while the budget is full", async () => {
    running(3);
    const result = await handler(3)(event(2));
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(result.batchItemFailures).toHaveLength(2);
  });

  it("counts a message whose execution already exists as started, and returns one StartExecution refused", async () => {
    running(0);
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(new ExecutionAlreadyExists({ message: "exists", $metadata: {} }))
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))
      .resolves({ executionArn: "arn", startDate: new Date() });
    const result = await handler(5)(event(3));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "m-1" }]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)).toHaveLength(0);
  });

  it("counts running executions past ListExecutions' first page of 1,000 (a budget over 1,000)", async () => {
    const page = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        executionArn: `${MACHINE}:e${i}`,
        stateMachineArn: MACHINE,
        name: `e${i}`,
        status: "RUNNING" as const,
        startDate: new Date(),
      }));
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: page(1000), nextToken: "page-2" })
      .resolvesOnce({ executions: page(500) });
    sfn.on(StartExecutionCommand).resolves({ executionArn: "arn", startDate: new Date() });
    const result = await handler(1500)(event(3));
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(result.batchItemFailures).toHaveLength(3);
    const pages = sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input);
    expect(pages).toMatchObject([
      { maxResults: 1000, nextToken: undefined },
      { maxResults: 500, nextToken: "page-2" },
    ]);
  });

  it("defers the batch, not fails it, when ListExecutions is throttled", async () => {
    sfn.on(ListExecutionsCommand).rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    const result = await handler(3)(event(2));
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: "m-0" }, { itemIdentifier: "m-1" }]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input.VisibilityTimeout)).toEqual([
      ADMISSION_RETRY_SECONDS,
      ADMISSION_RETRY_SECONDS,
    ]);
  });

  it("lets a message wait for admission as long as the sweeper lets its job stay pending", () => {
    expect(JOBS_MAX_RECEIVE_COUNT * ADMISSION_RETRY_SECONDS).toBeGreaterThanOrEqual(
      EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS,
    );
  });

  it("refuses a missing or malformed setting by name", () => {
    expect(() => starterSettings({ ALEX_MAX_RUNNING_JOBS: "3" })).toThrow(/ALEX_STATE_MACHINE_ARN/);
    expect(() => starterSettings({ ALEX_STATE_MACHINE_ARN: MACHINE, ALEX_MAX_RUNNING_JOBS: "0" })).toThrow(
      /ALEX_MAX_RUNNING_JOBS/,
    );
    expect(queueUrlOf("arn:aws-cn:sqs:cn-north-1:123456789012:jobs")).toBe(
      "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/jobs",
    );
  });
});
