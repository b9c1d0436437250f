import * as z from "zod";
import { JobId } from "../db/repositories/jobs.js";
import { describeIssues } from "../validation.js";

/**
 * A job reference: `{"jobId": …}` (direct start) or `{"job_id": …}` (the original's SQS body). A body
 * carrying both must name the same job.
 */
const JobReference = z
  .looseObject({ jobId: JobId.optional(), job_id: JobId.optional() })
  .refine((m) => m.jobId !== undefined || m.job_id !== undefined, { message: "names no job" })
  .refine((m) => m.jobId === undefined || m.job_id === undefined || m.jobId === m.job_id, {
    message: "jobId and job_id name different jobs",
  })
  .transform((m) => (m.jobId ?? m.job_id) as string);

/** One SQS record as the job starter passes it on (the shape EventBridge Pipes also delivers): the body is a JSON string. */
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

const PipeBatch = z.array(SqsRecord).length(1, {
  message:
    "must hold exactly one SQS record (the job starter passes one record per execution); every job a batch names is failed by id",
});

export class InvalidJobMessageError extends Error {
  override name = "InvalidJobMessageError";
}

/**
 * The job id from a state machine input: the job starter's batch (array of SQS records whose body is
 * `{"job_id": …}` or `{"jobId": …}`) or a direct `{"jobId": …}`. Anything else is rejected with a
 * message naming the field.
 */
export function jobIdFromInput(input: unknown): string {
  if (Array.isArray(input)) {
    const batch = PipeBatch.safeParse(input);
    if (!batch.success)
      throw new InvalidJobMessageError(
        `Invalid job message: ${describeIssues(batch.error.issues.map((i) => ({ ...i, path: ["input", ...i.path] })))}`,
      );
    const reference = JobReference.safeParse(batch.data[0].body);
    if (!reference.success) {
      throw new InvalidJobMessageError(
        `Invalid job message: input[0].body must be {"job_id": "<uuid>"} or {"jobId": "<uuid>"} (${describeIssues(reference.error.issues, "body")})`,
      );
    }
    return reference.data;
  }
  const reference = JobReference.safeParse(input);
  if (!reference.success) {
    throw new InvalidJobMessageError(
      `Invalid job message: expected {"jobId": "<uuid>"} or an array of one SQS record whose body is {"job_id": "<uuid>"} (${describeIssues(reference.error.issues)})`,
    );
  }
  return reference.data;
}

/**
 * Every job id a message names, valid or not as a message: direct `jobId`/`job_id`, and those of every
 * record's body in a batch. Used to fail by id the jobs a rejected message (a batch of several, a body
 * naming two jobs) would otherwise leave pending.
 */
export function jobIdsNamedBy(input: unknown): string[] {
  const bodies = Array.isArray(input) ? input.map((record) => parseBody(record)) : [input];
  const ids = bodies.flatMap((body) => {
    if (typeof body !== "object" || body === null) return [];
    const { jobId, job_id } = body as { jobId?: unknown; job_id?: unknown };
    return [jobId, job_id].filter((id): id is string => JobId.safeParse(id).success);
  });
  return [...new Set(ids)];
}

function parseBody(record: unknown): unknown {
  const body = (record as { body?: unknown } | null)?.body;
  if (typeof body !== "string") return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
