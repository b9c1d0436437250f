/**
 * Under `sst dev` every function is a stub that forwards to the developer's machine. When no
 * `sst dev` session answers within ~16 s, the stub returns this *successful* result, so Step
 * Functions' Retry/Catch never fire:
 *
 *     {"statusCode":"500","body":"sst dev is not running (worker: <32 characters>)"}
 *
 * A task result with `statusCode` and `body` is never a valid result of this app's handlers.
 */
export function isSstDevStubResult(value: unknown): value is { statusCode: unknown; body: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    "statusCode" in value &&
    "body" in value &&
    typeof value.body === "string"
  );
}

export class SstDevNotRunningError extends Error {
  override name = "SstDevNotRunningError";
}

/** Throws when `value` (a previous task's result) is the `sst dev` stub's answer. */
export function assertNotSstDevStub(value: unknown, what: string): void {
  if (isSstDevStubResult(value)) {
    throw new SstDevNotRunningError(
      `${what} came from an \`sst dev\` stub, not a handler: ${value.body}. Start \`sst dev\` or deploy the stage with \`sst deploy\`.`,
    );
  }
}
