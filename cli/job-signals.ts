import type { Db } from "../lib/db/driver.js";
import { failCancelledJob } from "../lib/pipeline/local-jobs.js";
import { progress } from "./io.js";

/** The shell's convention: 128 + the signal's number. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type JobSignal = keyof typeof SIGNAL_EXIT_CODES;
const SIGNALS = Object.keys(SIGNAL_EXIT_CODES) as JobSignal[];

/**
 * Runs `work` for a job; SIGINT, SIGTERM or SIGHUP meanwhile fails the job as "cancelled", closes the
 * database and exits with 128 + the signal's number, so Ctrl-C never leaves the job running.
 *
 * The listeners stay registered until the process exits: the Agents SDK's own SIGINT/SIGTERM listener
 * (its tracing cleanup) exits the process — with 0 on SIGTERM — as soon as it finds itself the only
 * listener, which would end the process before the job is failed. Once cancelling, whatever `work`
 * does next no longer matters: the cancellation ends the process.
 */
export async function failJobOnSignal<T>(db: Db, jobId: string, work: () => Promise<T>): Promise<T> {
  let cancelling: Promise<never> | undefined;
  const onSignal = (signal: JobSignal) => {
    cancelling ??= cancel(db, jobId, signal);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    const result = await work();
    return cancelling ? await cancelling : result;
  } catch (error) {
    if (cancelling) return await cancelling;
    throw error;
  } finally {
    if (!cancelling) for (const signal of SIGNALS) process.off(signal, onSignal);
  }
}

async function cancel(db: Db, jobId: string, signal: JobSignal): Promise<never> {
  try {
    const failed = await failCancelledJob(db, jobId, signal);
    progress(failed ? `Job ${jobId} failed: cancelled (${signal})` : `Job ${jobId} had already ended (${signal})`);
  } catch (error) {
    progress(`alex: could not mark job ${jobId} cancelled: ${(error as Error).message}`);
  }
  await db.close().catch(() => {});
  process.exit(SIGNAL_EXIT_CODES[signal]);
}
