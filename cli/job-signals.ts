import type { Db } from "../lib/db/driver.js";
import { failCancelledJob } from "../lib/pipeline/local-jobs.js";
import { progress } from "./io.js";

const EXIT_CODE: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/**
 * Runs `work` for a job; SIGINT, SIGTERM or SIGHUP meanwhile fails the job as "cancelled", closes the
 * database and exits with 128 + the signal's number, so Ctrl-C never leaves the job running.
 */
export async function failJobOnSignal<T>(db: Db, jobId: string, work: () => Promise<T>): Promise<T> {
  const signals = Object.keys(EXIT_CODE) as NodeJS.Signals[];
  const onSignal = (signal: NodeJS.Signals) => {
    for (const s of signals) process.off(s, onSignal);
    const exit = () => process.exit(EXIT_CODE[signal]);
    void failCancelledJob(db, jobId, signal)
      .then(() => progress(`Job ${jobId} failed: cancelled (${signal})`))
      .catch((error: unknown) => progress(`alex: could not mark job ${jobId} cancelled: ${(error as Error).message}`))
      .finally(() => db.close().finally(exit));
  };
  for (const signal of signals) process.on(signal, onSignal);
  try {
    return await work();
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}
