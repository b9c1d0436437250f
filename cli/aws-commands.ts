import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { loadConfig } from "../lib/config.js";
import { dataApiDbFromConfig } from "../lib/db/data-api.js";
import type { Db } from "../lib/db/driver.js";
import { importPortfolio } from "../lib/db/repositories/import-portfolio.js";
import { createJob } from "../lib/db/repositories/jobs.js";
import { getUser } from "../lib/db/repositories/users.js";
import { BUNDLED_CORPUS_DIR } from "../lib/knowledge/documents.js";
import { createKnowledgeBase, ingestFiles } from "../lib/knowledge/knowledge-base.js";
import { jobIdFromInput } from "../lib/pipeline/job-message.js";
import { readPortfolioFile } from "../lib/portfolio/portfolio-file.js";
import type { CommandArgs } from "./command.js";
import { print, progress, UsageError } from "./io.js";

export interface SubmitOptions {
  db: Db;
  sqs: SQSClient;
  queueUrl: string;
  userId?: string;
  portfolioPath?: string;
}

/** Creates a pending job in the deployed database and sends `{"job_id": …}` to the jobs queue. */
export async function submitJob(options: SubmitOptions): Promise<{ jobId: string; messageId?: string }> {
  let userId = options.userId;
  if (options.portfolioPath) userId = await importPortfolio(options.db, await readPortfolioFile(options.portfolioPath));
  if (!userId) throw new UsageError("give --portfolio FILE or --user ID");
  if (!(await getUser(options.db, userId))) throw new UsageError(`user ${userId} not found in the deployed database`);
  const jobId = await createJob(options.db, {
    clerk_user_id: userId,
    request_payload: { analysis_type: "portfolio", options: {} },
  });
  const sent = await options.sqs.send(
    new SendMessageCommand({ QueueUrl: options.queueUrl, MessageBody: JSON.stringify({ job_id: jobId }) }),
  );
  return { jobId, messageId: sent.MessageId };
}

/** `alex submit`: the job goes to Aurora (Data API) and its id to SQS; the job starter starts the state machine. */
export async function submitCommand(args: CommandArgs): Promise<number> {
  const queueUrl = args.values["queue-url"] as string | undefined;
  if (!queueUrl) throw new UsageError("--queue-url URL is required (the `queueUrl` output of `sst deploy`)");
  if (args.config.db.driver !== "data-api") {
    throw new UsageError(
      "alex submit writes the job to the deployed database: set ALEX_DB=data-api, AURORA_CLUSTER_ARN and AURORA_SECRET_ARN",
    );
  }
  const db = dataApiDbFromConfig(args.config);
  const { jobId, messageId } = await submitJob({
    db,
    sqs: new SQSClient({ region: args.config.awsRegion }),
    queueUrl,
    userId: args.values.user as string | undefined,
    portfolioPath: args.values.portfolio as string | undefined,
  });
  print(jobId);
  progress(
    `Job ${jobId} queued (message ${messageId}). Follow it with "alex watch --job ${jobId} --state-machine <stateMachineArn>".`,
  );
  return 0;
}

/** One line per history event: offset, event type and state name. */
export function describeHistoryEvent(event: HistoryEvent, start: Date): string {
  const offset = event.timestamp ? event.timestamp.getTime() - start.getTime() : 0;
  const state = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name ?? "";
  const failure =
    event.taskFailedEventDetails ?? event.executionFailedEventDetails ?? event.lambdaFunctionFailedEventDetails;
  const detail = failure ? ` ${failure.error ?? ""}: ${failure.cause ?? ""}`.trimEnd() : "";
  return `+${String(offset).padStart(6)} ms  ${event.type}${state ? `  ${state}` : ""}${detail}`;
}

export interface WatchOptions {
  sfn: SFNClient;
  executionArn: string;
  write: (line: string) => void;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Follows an execution's history live until it ends; returns its final status (`NEEDS_REVIEW` for a succeeded execution whose job ended needs_review). */
export async function watchExecution(options: WatchOptions): Promise<string> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  let seen = 0;
  for (;;) {
    const execution = await options.sfn.send(new DescribeExecutionCommand({ executionArn: options.executionArn }));
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await options.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: options.executionArn, nextToken, maxResults: 1000 }),
      );
      events.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const start = execution.startDate ?? events[0]?.timestamp ?? new Date();
    for (const event of events.slice(seen)) options.write(describeHistoryEvent(event, start));
    seen = events.length;
    if (execution.status !== "RUNNING") {
      options.write(
        `Execution ${execution.status}${execution.error ? `: ${execution.error} ${execution.cause ?? ""}` : ""}`,
      );
      const review = execution.status === "SUCCEEDED" ? needsReviewReason(execution.output) : undefined;
      if (review !== undefined) options.write(`Job needs_review: ${review}`);
      return review !== undefined ? "NEEDS_REVIEW" : (execution.status ?? "UNKNOWN");
    }
    await sleep(options.pollMs ?? 2000);
  }
}

/** The reason of a succeeded execution whose job ended needs_review (its "Needs review" Succeed state keeps Finalize's result). */
function needsReviewReason(output: string | undefined): string | undefined {
  try {
    const result = JSON.parse(output ?? "null") as { status?: unknown; reason?: unknown } | null;
    return result?.status === "needs_review" ? String(result.reason ?? "no reason recorded") : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The newest execution of the state machine whose input names the job, by its id or a start of one (the job
 * starter started it, so only the input tells).
 */
export async function findExecutionOfJob(
  sfn: SFNClient,
  stateMachineArn: string,
  jobId: string,
  maxExecutions = 200,
): Promise<string | undefined> {
  let nextToken: string | undefined;
  let checked = 0;
  do {
    const page = await sfn.send(new ListExecutionsCommand({ stateMachineArn, nextToken, maxResults: 50 }));
    for (const { executionArn } of page.executions ?? []) {
      if (!executionArn || checked++ >= maxExecutions) return undefined;
      const { input } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (inputNamesJob(input, jobId)) return executionArn;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

function inputNamesJob(input: string | undefined, jobId: string): boolean {
  try {
    return jobIdFromInput(JSON.parse(input ?? "null")).startsWith(jobId.toLowerCase());
  } catch {
    return false;
  }
}

const isArn = (text: string | undefined, kind: string) =>
  text !== undefined && new RegExp(`^arn:aws[a-z-]*:states:[^:]*:[^:]*:${kind}:`).test(text);

/** `alex watch EXECUTION_ARN`, or `alex watch --job JOB --state-machine ARN` to find the job's execution first. */
export async function watchCommand(args: CommandArgs): Promise<number> {
  const sfn = new SFNClient({ region: args.config.awsRegion });
  let executionArn: string | undefined = args.positionals[0];
  const jobId = args.values.job as string | undefined;
  const stateMachineArn = args.values["state-machine"] as string | undefined;
  if (!executionArn && jobId && isArn(stateMachineArn, "stateMachine")) {
    executionArn = await findExecutionOfJob(sfn, stateMachineArn!, jobId);
    if (!executionArn)
      throw new UsageError(
        `no recent execution of ${stateMachineArn} names job ${jobId} (the job starter may not have started it yet: it waits while the model quota is full)`,
      );
    progress(`Execution ${executionArn}`);
  }
  if (!isArn(executionArn, "execution"))
    throw new UsageError("usage: alex watch EXECUTION_ARN | alex watch --job JOB --state-machine STATE_MACHINE_ARN");
  const status = await watchExecution({ sfn, executionArn: executionArn!, write: print });
  return status === "SUCCEEDED" ? 0 : status === "NEEDS_REVIEW" ? 3 : 1;
}

/** `alex ingest FILES… [--corpus] [--deployed]`: adds market notes to the local or the deployed knowledge base. */
export async function ingestCommand(args: CommandArgs): Promise<number> {
  const paths = [...args.positionals];
  if (args.values.corpus) {
    const corpus = (await readdir(BUNDLED_CORPUS_DIR))
      .filter((f) => f.endsWith(".md"))
      .map((f) => join(BUNDLED_CORPUS_DIR, f));
    paths.push(...corpus);
  }
  if (paths.length === 0) throw new UsageError("usage: alex ingest FILES… [--corpus] [--deployed]");
  const config = args.values.deployed
    ? loadConfig({ ...process.env, ALEX_EMBEDDER: "sagemaker", ALEX_VECTOR_STORE: "s3vectors" })
    : args.config;
  const kb = await createKnowledgeBase(config);
  const result = await ingestFiles(paths, kb);
  progress(
    `Ingested ${result.documents} document(s) as ${result.passages} passage(s) with the ${kb.embedder.name} embedder.`,
  );
  return 0;
}
