import { EXECUTION_TIMEOUT_SECONDS, SWEEP_GRACE_SECONDS } from "./tasks.js";

/**
 * Admission control: the backlog waits in the jobs queue, not in open executions. The job starter
 * (functions/start-jobs.ts, on the queue with an event-source maximum concurrency) starts an analysis
 * only while fewer than `maxRunningJobs` executions run — the jobs the model quota sustains at once
 * (`scaleLimits().maxRunningJobs`, Little's law) — and hands every other message back to the queue,
 * visible again after {@link ADMISSION_RETRY_SECONDS}. Executions then start at the rate jobs finish,
 * which is the rate the quota allows.
 */

/** How long a message the starter could not admit stays invisible before it is offered again, seconds. */
export const ADMISSION_RETRY_SECONDS = 20;

/** Messages per starter invocation (the event source's batch size). */
export const JOB_STARTER_BATCH_SIZE = 10;

/**
 * Starter invocations at once (the SQS event source's ScalingConfig.MaximumConcurrency; 2 is its
 * minimum). Two starters reading the running count at the same moment can overshoot by one batch.
 */
export const JOB_STARTER_MAX_CONCURRENCY = 2;

/** The starter's Lambda timeout; the queue's visibility timeout is six times this (the Lambda guide's advice for SQS). */
export const JOB_STARTER_TIMEOUT_SECONDS = 30;

/**
 * Receives of a job message before it moves to the dead-letter queue. Every deferral is a receive, so
 * this lets a message wait for admission as long as the sweeper lets a pending job wait (it fails jobs
 * pending longer than the execution timeout plus its grace), plus a few deliveries for real failures.
 */
export const JOBS_MAX_RECEIVE_COUNT =
  Math.ceil((EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS) / ADMISSION_RETRY_SECONDS) + 3;

/** A queued job message, as the SQS event source (or the local queue) delivers it. */
export interface JobMessage {
  messageId: string;
}

/** What the starter does with the outside world: count running executions, start one, put a message back. */
export interface ExecutionStarter<M extends JobMessage> {
  /** Executions running now, counted up to `atMost` (the starter needs no more to decide). */
  running(atMost: number): Promise<number>;
  start(message: M): Promise<void>;
  /** Makes the message visible again after `seconds`. */
  defer(message: M, seconds: number): Promise<void>;
}

export interface Admission {
  started: string[];
  /** Over the budget: back in the queue. */
  deferred: string[];
  /** StartExecution failed: back in the queue as well, and logged. */
  failed: { messageId: string; error: unknown }[];
}

/**
 * Starts as many of `messages` as the budget has room for, in order, and defers the rest. Every
 * message not started is to be reported as a batch item failure, so SQS keeps it.
 */
export async function admitJobs<M extends JobMessage>(
  messages: readonly M[],
  starter: ExecutionStarter<M>,
  maxRunningJobs: number,
): Promise<Admission> {
  let room = Math.max(0, maxRunningJobs - (await starter.running(maxRunningJobs)));
  const admission: Admission = { started: [], deferred: [], failed: [] };
  for (const message of messages) {
    if (room === 0) {
      await starter.defer(message, ADMISSION_RETRY_SECONDS);
      admission.deferred.push(message.messageId);
      continue;
    }
    try {
      await starter.start(message);
      admission.started.push(message.messageId);
      room -= 1;
    } catch (error) {
      admission.failed.push({ messageId: message.messageId, error });
    }
  }
  return admission;
}
