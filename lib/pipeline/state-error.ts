import * as z from "zod";

/** What a Catch puts in the state: `{Error, Cause}`. */
export const StateError = z.object({ Error: z.string(), Cause: z.string().optional() });
export type StateError = z.infer<typeof StateError>;

/**
 * A one-line reason from a caught error. On AWS a Lambda error's Cause is JSON
 * (`{"errorType","errorMessage","trace"}`); locally it is the message itself.
 */
export function describeStateError(error: StateError): string {
  const cause = error.Cause ?? "";
  let message = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === "string") message = parsed.errorMessage;
  } catch {
    // Not JSON: the cause is already the message.
  }
  return message ? `${error.Error}: ${message}` : error.Error;
}
