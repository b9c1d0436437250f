import * as z from "zod";
import type { Db } from "../db/driver.js";
import { failJob } from "../db/repositories/jobs.js";
import { logger } from "../logger.js";
import { ENDED_UNSUCCESSFULLY, type EndedUnsuccessfully, EXECUTION_STATUS_CHANGE } from "./events.js";
import { jobIdFromInput } from "./job-message.js";

const ExecutionStatusChange = z.object({
  source: z.literal("aws.states"),
  "detail-type": z.literal(EXECUTION_STATUS_CHANGE),
  detail: z.object({
    executionArn: z.string(),
    stateMachineArn: z.string(),
    status: z.string(),
    input: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
  }),
});

export type ExecutionStatusChangeEvent = z.input<typeof ExecutionStatusChange>;
type Detail = z.output<typeof ExecutionStatusChange>["detail"];

export type ExecutionEndedResult =
  | { outcome: "marked-failed" | "left-alone"; jobId: string; reason: string }
  | { outcome: "ignored"; why: string };

const FALLBACK_CAUSE: Record<EndedUnsuccessfully, string> = {
  FAILED: "no error was reported",
  TIMED_OUT: "the execution exceeded the state machine's TimeoutSeconds",
  ABORTED: "the execution was stopped",
};

const isEndedUnsuccessfully = (status: string): status is EndedUnsuccessfully =>
  (ENDED_UNSUCCESSFULLY as readonly string[]).includes(status);

/** The reason stored on the job, e.g. `Execution TIMED_OUT: States.Timeout`. */
export function endedReason(status: EndedUnsuccessfully, detail: Pick<Detail, "error" | "cause">): string {
  const told = [detail.error, detail.cause].filter((part): part is string => Boolean(part?.trim()));
  return `Execution ${status}: ${told.length > 0 ? told.join(": ") : FALLBACK_CAUSE[status]}`;
}

function jobIdOf(input: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input);
  } catch {
    throw new Error("the execution input is not JSON");
  }
  return jobIdFromInput(parsed);
}

/**
 * Nothing stays stuck: when an execution of the analysis state machine fails, times out or is
 * aborted, the job named by its input is marked failed — only if it is still pending or running
 * (`failJob`), so a job the workflow already finished (or already marked failed) is left alone.
 */
export function createHandler(deps: { openDb: () => Db }) {
  return async (event: unknown): Promise<ExecutionEndedResult> => {
    const { detail } = ExecutionStatusChange.parse(event);
    const log = logger.createChild({ persistentKeys: { executionArn: detail.executionArn, status: detail.status } });
    if (!isEndedUnsuccessfully(detail.status)) return { outcome: "ignored", why: `status ${detail.status}` };
    if (!detail.input) {
      log.warn("Execution ended without its input in the event; no job to mark");
      return { outcome: "ignored", why: "no input in the event" };
    }
    let jobId: string;
    try {
      jobId = jobIdOf(detail.input);
    } catch (error) {
      log.warn("Execution input names no job", { error: (error as Error).message });
      return { outcome: "ignored", why: (error as Error).message };
    }
    const reason = endedReason(detail.status, detail);
    const db = deps.openDb();
    try {
      const marked = await failJob(db, jobId, reason, detail.executionArn);
      log.info(marked ? "Job marked failed" : "Job had ended or belongs to another execution", { jobId, reason });
      return { outcome: marked ? "marked-failed" : "left-alone", jobId, reason };
    } finally {
      await db.close();
    }
  };
}
