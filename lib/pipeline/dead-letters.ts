import type { Db } from "../db/driver.js";
import { failJob } from "../db/repositories/jobs.js";
import { jobIdsNamedBy } from "./job-message.js";

/** The part of an SQS record the dead-letter consumer reads. */
export interface DeadLetter {
  messageId: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string };
}

export interface DeadLetterOutcome {
  messageId: string;
  /** Jobs the message names, and whether each was failed now (false: it had already ended). */
  jobs: { jobId: string; failed: boolean }[];
}

const deadLetterReason = (letter: DeadLetter) =>
  `dead-lettered: the job message (SQS ${letter.messageId}) was received ${letter.attributes?.ApproximateReceiveCount ?? "several"} times ` +
  "without starting an analysis (Step Functions refused or throttled the execution, or the model quota had no room " +
  "for it in that time: it waited for admission)";

/**
 * A message in the jobs dead-letter queue never started an analysis, so nothing else will end its job:
 * fail every job it names (any that is still pending or running) with the reason. A message that names
 * no job is reported and dropped (its body is logged by the caller for a person to read).
 */
export async function failDeadLetteredJobs(db: Db, letter: DeadLetter): Promise<DeadLetterOutcome> {
  const jobs = [];
  for (const jobId of jobIdsNamedBy([letter]))
    jobs.push({ jobId, failed: await failJob(db, jobId, deadLetterReason(letter)) });
  return { messageId: letter.messageId, jobs };
}
