import { z } from "zod";
import { JobId } from "../db/repositories/jobs.js";
import { describeIssues } from "../validation.js";


/** A job reference: `{"jobId": …}` (direct start) or `{"job_id": …}` (the original's SQS body). */
const JobReference = z.union([
  z.looseObject({ jobId: JobId }).transform((m) => m.jobId),
  z.looseObject({ job_id: JobId }).transform((m) => m.job_id),
]);

/** One SQS record as EventBridge Pipes delivers it: the message body is a JSON string. */
const SqsRecord = z.looseObject({
  messageId: z.string().optional(),
  body: z.string().transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "is not JSON" });
      return z.NEVER;
    }
  }),
});

const PipeBatch = z.array(SqsRecord).length(1, { message: "must hold exactly one SQS record (the Pipe's batch size is 1)" });

export class InvalidJobMessageError extends Error {
  override name = "InvalidJobMessageError";
}

/**
 * The job id from a state machine input: the Pipe's batch (array of SQS records whose body is
 * `{"job_id": …}` or `{"jobId": …}`) or a direct `{"jobId": …}`. Anything else is rejected with a
 * message naming the field.
 */
export function jobIdFromInput(input: unknown): string {
  if (Array.isArray(input)) {
    const batch = PipeBatch.safeParse(input);
    if (!batch.success) throw new InvalidJobMessageError(`Invalid job message: ${describeIssues(batch.error.issues.map((i) => ({ ...i, path: ["input", ...i.path] })))}`);
    const reference = JobReference.safeParse(batch.data[0].body);
    if (!reference.success) {
      throw new InvalidJobMessageError(`Invalid job message: input[0].body must be {"job_id": "<uuid>"} or {"jobId": "<uuid>"}`);
    }
    return reference.data;
  }
  const reference = JobReference.safeParse(input);
  if (!reference.success) {
    throw new InvalidJobMessageError(
      'Invalid job message: expected {"jobId": "<uuid>"} or an array of one SQS record whose body is {"job_id": "<uuid>"}',
    );
  }
  return reference.data;
}
