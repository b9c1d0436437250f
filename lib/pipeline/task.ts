import type * as z from "zod";
import type { AgentDeps } from "../agents/common.js";
import { describeIssues } from "../validation.js";

/** A Task event that does not match its schema. The message names the field. */
export class InvalidEventError extends Error {
  override name = "InvalidEventError";
}

/** Parses a Task's event with zod; a bad event fails with a message naming each bad field. */
export function parseEvent<S extends z.ZodType>(task: string, schema: S, event: unknown): z.infer<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  throw new InvalidEventError(`${task} got an invalid event: ${describeIssues(result.error.issues, "(event)")}`);
}

export { JobId } from "../db/repositories/jobs.js";

/** A task's core: the parsed work, given its dependencies. Lambda and the local executor share it. */
export type TaskFunction<Result> = (event: unknown, deps: AgentDeps) => Promise<Result>;

/** Milliseconds since `start`. */
export const elapsed = (start: number) => Math.round(performance.now() - start);
