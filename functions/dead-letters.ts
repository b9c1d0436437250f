import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { Db } from "../lib/db/driver.js";
import { logger } from "../lib/logger.js";
import { failDeadLetteredJobs } from "../lib/pipeline/dead-letters.js";
import { openLinkedDb } from "./links.js";

/**
 * Consumes the jobs dead-letter queue: fails the job each dead message names, with the reason. A
 * record whose update fails is reported back (partial batch response) and retried by SQS.
 */
export function createHandler(deps: { openDb: () => Db }) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const db = deps.openDb();
    const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
    try {
      for (const record of event.Records) {
        try {
          const outcome = await failDeadLetteredJobs(db, record);
          if (outcome.jobs.length === 0)
            logger.warn("Dead job message names no job", {
              messageId: record.messageId,
              body: record.body.slice(0, 1000),
            });
          else logger.info("Dead-lettered jobs failed", { ...outcome });
        } catch (error) {
          logger.error("Could not fail a dead-lettered job", { messageId: record.messageId, error: error as Error });
          batchItemFailures.push({ itemIdentifier: record.messageId });
        }
      }
    } finally {
      await db.close();
    }
    return { batchItemFailures };
  };
}

export const handler = createHandler({ openDb: () => openLinkedDb() });
