import {
  ExecutionAlreadyExists,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod";
import { logger } from "../logger.js";
import { admitJobs, type ExecutionStarter } from "./admission.js";

const StarterEnvironment = z.object({
  ALEX_STATE_MACHINE_ARN: z.string().startsWith("arn:"),
  ALEX_MAX_RUNNING_JOBS: z.coerce.number().int().positive(),
});

/** The job starter's settings from its environment (the stack sets both); names the field that is wrong. */
export function starterSettings(env: Record<string, string | undefined>) {
  const parsed = StarterEnvironment.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`job starter: ${String(issue?.path[0])}: ${issue?.message}`);
  }
  return { stateMachineArn: parsed.data.ALEX_STATE_MACHINE_ARN, maxRunningJobs: parsed.data.ALEX_MAX_RUNNING_JOBS };
}

/** `arn:aws:sqs:eu-west-1:123456789012:jobs` → `https://sqs.eu-west-1.amazonaws.com/123456789012/jobs`. */
export function queueUrlOf(queueArn: string): string {
  const [, partition, , region, account, name] = queueArn.split(":");
  const domain = partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sqs.${region}.${domain}/${account}/${name}`;
}

/** ListExecutions returns at most this many executions a page. */
const LIST_EXECUTIONS_PAGE = 1000;

/**
 * Step Functions and SQS behind {@link ExecutionStarter}. The execution is named after the message, so a
 * message delivered twice starts one execution; its input is `[record]`, as the Pipe it replaces sent it.
 */
function awsExecutionStarter(
  clients: { sfn: SFNClient; sqs: SQSClient },
  stateMachineArn: string,
): ExecutionStarter<SQSRecord> {
  return {
    async running(atMost) {
      let count = 0;
      let nextToken: string | undefined;
      try {
        do {
          const page = await clients.sfn.send(
            new ListExecutionsCommand({
              stateMachineArn,
              statusFilter: "RUNNING",
              maxResults: Math.min(atMost - count, LIST_EXECUTIONS_PAGE),
              nextToken,
            }),
          );
          count += page.executions?.length ?? 0;
          nextToken = page.nextToken;
        } while (nextToken && count < atMost);
      } catch (error) {
        // ListExecutions has a small API bucket that a large backlog's starters drain: no room this time, not
        // a failed batch (which would hide every message for the queue's whole visibility timeout).
        if ((error as Error).name === "ThrottlingException") return atMost;
        throw error;
      }
      return count;
    },
    async start(record) {
      try {
        await clients.sfn.send(
          new StartExecutionCommand({ stateMachineArn, name: record.messageId, input: JSON.stringify([record]) }),
        );
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
      }
    },
    async defer(record, seconds) {
      await clients.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrlOf(record.eventSourceARN),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
  };
}

/** The SQS event-source handler: admit what the budget allows, report the rest back to the queue. */
export function createJobStarterHandler(deps: {
  sfn: SFNClient;
  sqs: SQSClient;
  env: Record<string, string | undefined>;
}) {
  const { stateMachineArn, maxRunningJobs } = starterSettings(deps.env);
  const starter = awsExecutionStarter(deps, stateMachineArn);
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const admission = await admitJobs(event.Records, starter, maxRunningJobs);
    for (const { messageId, error } of admission.failed) {
      logger.error("Could not start an analysis; the message goes back to the queue", {
        messageId,
        error: error as Error,
      });
    }
    if (admission.deferred.length > 0) logger.info("Jobs wait for admission", { deferred: admission.deferred.length });
    const notStarted = [...admission.deferred, ...admission.failed.map((f) => f.messageId)];
    return { batchItemFailures: notStarted.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
