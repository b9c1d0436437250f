import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findExecutionOfJob, submitJob, watchCommand, watchExecution } from "../../cli/aws-commands.js";
import type { Config } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { getJob } from "../../lib/db/repositories/jobs.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { testDb } from "../support/db.js";

describe("alex submit", () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
  });
  afterAll(() => db.close());

  it("creates a pending job and sends its id to the queue", async () => {
    const sqs = new SQSClient({ region: "eu-west-1" });
    const mock = mockClient(sqs).on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const queueUrl = "https://sqs.eu-west-1.amazonaws.com/123456789012/alex-dev-Jobs";
    const { jobId, messageId } = await submitJob({ db, sqs, queueUrl, userId: DEMO_USER_ID });
    expect(messageId).toBe("m-1");
    expect(mock.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: queueUrl, MessageBody: JSON.stringify({ job_id: jobId }) },
    ]);
    expect((await getJob(db, jobId))?.status).toBe("pending");
  });

  it("refuses an unknown user and sends nothing", async () => {
    const sqs = new SQSClient({ region: "eu-west-1" });
    const mock = mockClient(sqs).on(SendMessageCommand).resolves({});
    await expect(submitJob({ db, sqs, queueUrl: "q", userId: "nobody" })).rejects.toThrow("user nobody not found");
    expect(mock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});

describe("alex watch", () => {
  it("prints new history events as they arrive, until the execution ends", async () => {
    const sfn = new SFNClient({ region: "eu-west-1" });
    const start = new Date("2026-11-25T10:00:00Z");
    const at = (ms: number) => new Date(start.getTime() + ms);
    const first = [
      { id: 1, type: "ExecutionStarted", timestamp: at(0) },
      { id: 2, type: "TaskStateEntered", timestamp: at(5), stateEnteredEventDetails: { name: "Prepare job" } },
    ];
    const second = [
      ...first,
      {
        id: 3,
        type: "ExecutionFailed",
        timestamp: at(900),
        executionFailedEventDetails: { error: "JobFailed", cause: "boom" },
      },
    ];
    mockClient(sfn)
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: "RUNNING", startDate: start })
      .resolves({ status: "FAILED", startDate: start, error: "JobFailed", cause: "boom" })
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: first as never })
      .resolves({ events: second as never });
    const lines: string[] = [];
    const status = await watchExecution({
      sfn,
      executionArn: "arn:aws:states:eu-west-1:1:execution:m:e",
      write: (l) => lines.push(l),
      sleep: async () => {},
    });
    expect(status).toBe("FAILED");
    expect(lines).toEqual([
      "+     0 ms  ExecutionStarted",
      "+     5 ms  TaskStateEntered  Prepare job",
      "+   900 ms  ExecutionFailed JobFailed: boom",
      "Execution FAILED: JobFailed boom",
    ]);
  });
});

describe("alex watch, a job that ended needs_review", () => {
  it("reports NEEDS_REVIEW (exit code 3), not SUCCEEDED, with the gate's reasons", async () => {
    const arn = "arn:aws:states:eu-west-1:1:execution:m:e";
    const output = JSON.stringify({ status: "needs_review", reason: "Needs review: charts: 1 valid chart(s)" });
    const mock = mockClient(SFNClient)
      .on(DescribeExecutionCommand)
      .resolves({ status: "SUCCEEDED", startDate: new Date(), output })
      .on(GetExecutionHistoryCommand)
      .resolves({ events: [] });
    const lines: string[] = [];
    const sfn = new SFNClient({ region: "eu-west-1" });
    expect(await watchExecution({ sfn, executionArn: arn, write: (l) => lines.push(l) })).toBe("NEEDS_REVIEW");
    expect(lines).toContain("Job needs_review: Needs review: charts: 1 valid chart(s)");
    const args = { positionals: [arn], values: {}, config: { awsRegion: "eu-west-1" } as Config };
    expect(await watchCommand(args)).toBe(3);
    mock
      .on(DescribeExecutionCommand)
      .resolves({ status: "SUCCEEDED", output: JSON.stringify({ status: "completed" }) });
    expect(await watchCommand(args)).toBe(0);
    mock.restore();
  });
});

describe("finding a job's execution", () => {
  it("returns the newest execution whose input (the Pipe's batch) names the job", async () => {
    const sfn = new SFNClient({ region: "eu-west-1" });
    const jobId = "6a1e1a8e-2f0a-4d6b-9a52-0d6f0a0b0c01";
    const other = "6a1e1a8e-2f0a-4d6b-9a52-0d6f0a0b0c02";
    const machine = "arn:aws:states:eu-west-1:1:stateMachine:m";
    const exec = (n: number) => `arn:aws:states:eu-west-1:1:execution:m:e${n}`;
    const mock = mockClient(sfn);
    mock
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [{ executionArn: exec(3) }, { executionArn: exec(2) }] as never, nextToken: "t" })
      .resolves({ executions: [{ executionArn: exec(1) }] as never });
    mock.on(DescribeExecutionCommand, { executionArn: exec(3) }).resolves({ input: JSON.stringify({ jobId: other }) });
    mock.on(DescribeExecutionCommand, { executionArn: exec(2) }).resolves({ input: "not json" });
    mock
      .on(DescribeExecutionCommand, { executionArn: exec(1) })
      .resolves({ input: JSON.stringify([{ messageId: "m", body: JSON.stringify({ job_id: jobId }) }]) });
    expect(await findExecutionOfJob(sfn, machine, jobId)).toBe(exec(1));
    expect(mock.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: machine, nextToken: undefined, maxResults: 50 },
      { stateMachineArn: machine, nextToken: "t", maxResults: 50 },
    ]);
  });
});
