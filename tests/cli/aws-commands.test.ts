import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitJob, watchExecution } from "../../lib/cli/aws-commands.js";
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
    const second = [...first, { id: 3, type: "ExecutionFailed", timestamp: at(900), executionFailedEventDetails: { error: "JobFailed", cause: "boom" } }];
    mockClient(sfn)
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: "RUNNING", startDate: start })
      .resolves({ status: "FAILED", startDate: start, error: "JobFailed", cause: "boom" })
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: first as never })
      .resolves({ events: second as never });
    const lines: string[] = [];
    const status = await watchExecution({ sfn, executionArn: "arn:aws:states:eu-west-1:1:execution:m:e", write: (l) => lines.push(l), sleep: async () => {} });
    expect(status).toBe("FAILED");
    expect(lines).toEqual([
      "+     0 ms  ExecutionStarted",
      "+     5 ms  TaskStateEntered  Prepare job",
      "+   900 ms  ExecutionFailed JobFailed: boom",
      "Execution FAILED: JobFailed boom",
    ]);
  });
});
