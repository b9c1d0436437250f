import type { Db } from "../lib/db/driver.js";
import { logger } from "../lib/logger.js";
import { sweepStuckJobs } from "../lib/pipeline/sweeper.js";
import { EXECUTION_TIMEOUT_SECONDS, SWEEP_GRACE_SECONDS } from "../lib/pipeline/tasks.js";
import { openLinkedDb } from "./links.js";

/** Scheduled: fails the jobs pending or running beyond the state machine's timeout (plus a grace period). */
export function createHandler(deps: { openDb: () => Db }) {
  return async (): Promise<{ swept: string[] }> => {
    const db = deps.openDb();
    try {
      const swept = await sweepStuckJobs(db, EXECUTION_TIMEOUT_SECONDS + SWEEP_GRACE_SECONDS);
      if (swept.length > 0) logger.warn("Stuck jobs failed", { swept });
      return { swept: swept.map((job) => job.id) };
    } finally {
      await db.close();
    }
  };
}

export const handler = createHandler({ openDb: () => openLinkedDb() });
