import type { ModelRetrySettings, RetryPolicy } from "@openai/agents-core";
import { APICallError } from "ai";

const THROTTLING_STATUS_CODES = new Set([429, 500, 503]);
const THROTTLING_ERROR_TYPES = /ThrottlingException|ServiceUnavailable|ModelNotReady/i;

/**
 * The model stayed throttled after every retry. Step Functions' Retry matches this `name`,
 * so the task is retried later as a whole; `cause` is the provider's last error.
 */
export class ThrottledError extends Error {
  override name = "ThrottledError";

  /** Model calls made before giving up. */
  readonly attempts: number;

  constructor(message: string, options: { cause: unknown; attempts: number }) {
    super(message, { cause: options.cause });
    this.attempts = options.attempts;
  }
}

/** Where retry warnings go (a Powertools Logger fits). */
export interface RetryLog {
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Backoff bounds; injectable so tests run fast. Defaults: 1 s to 20 s, doubling, with jitter. */
export interface RetryDelays {
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Multiply each delay by a random factor. Default true. */
  jitter?: boolean;
}

export interface ModelRetryOptions extends RetryDelays {
  /** Retries after the first attempt (so at most `maxRetries + 1` model calls). */
  maxRetries: number;
  agent: string;
  jobId?: string;
  log: RetryLog;
}

/**
 * True for provider errors that mean "try again later": HTTP 429/500/503, or an
 * `x-amzn-errortype` of ThrottlingException / ServiceUnavailable / ModelNotReady.
 * Uses `APICallError.isInstance` because several copies of the class are installed.
 */
export function isThrottlingError(error: unknown): error is APICallError {
  if (!APICallError.isInstance(error)) return false;
  const errorType = error.responseHeaders?.["x-amzn-errortype"] ?? "";
  return THROTTLING_STATUS_CODES.has(error.statusCode ?? 0) || THROTTLING_ERROR_TYPES.test(errorType);
}

/**
 * The SDK's model retry settings (`modelSettings.retry`): the runner retries each model call — never
 * the agent run or its tools — on throttling only, with bounded exponential backoff, and stops on abort.
 */
export function modelRetrySettings(options: ModelRetryOptions): ModelRetrySettings {
  const { maxRetries, minDelayMs = 1_000, maxDelayMs = 20_000, jitter = true } = options;
  return {
    maxRetries,
    backoff: { initialDelayMs: minDelayMs, maxDelayMs, multiplier: 2, jitter },
    policy: throttlingOnly(options),
  };
}

function throttlingOnly({ agent, jobId, log }: ModelRetryOptions): RetryPolicy {
  return ({ error, attempt }) => {
    if (!isThrottlingError(error)) return false;
    log.warn("Model call throttled; retrying", {
      agent,
      ...(jobId ? { jobId } : {}),
      attempt,
      statusCode: error.statusCode,
      errorType: error.responseHeaders?.["x-amzn-errortype"],
      error: error.message,
    });
    return true;
  };
}

/**
 * Hand-written because the SDK cannot do it: once its retries are spent the runner rethrows the
 * provider's error as is, while Step Functions needs a stable error name to retry the task later.
 * A throttle that reaches the run's caller becomes {@link ThrottledError}; anything else is returned unchanged.
 */
export function throttledAfterRetries(error: unknown, agent: string, maxRetries: number): unknown {
  if (!isThrottlingError(error)) return error;
  const attempts = maxRetries + 1;
  return new ThrottledError(`Model throttled for ${agent} after ${attempts} attempts: ${error.message}`, {
    cause: error,
    attempts,
  });
}
