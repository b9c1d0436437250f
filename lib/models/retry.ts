import type { Model, ModelRequest, ModelResponse, ModelRetryAdviceRequest, StreamEvent } from "@openai/agents";
import { APICallError } from "ai";
import pRetry from "p-retry";

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
  /** Multiply each delay by a random factor in [1, 2). Default true. */
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
 * Wraps a model so that each model call (and only the model call, never the agent run or its
 * tools) is retried on throttling with bounded exponential backoff. Exhausted retries on a
 * throttle raise {@link ThrottledError}; every other error passes through unchanged.
 */
export function withModelRetry(model: Model, options: ModelRetryOptions): Model {
  return new RetryingModel(model, options);
}

class RetryingModel implements Model {
  constructor(
    private readonly model: Model,
    private readonly options: ModelRetryOptions,
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    try {
      return await pRetry(() => this.model.getResponse(request), this.pRetryOptions(request.signal));
    } catch (error) {
      if (isThrottlingError(error)) throw this.throttled(error);
      throw error;
    }
  }

  /** Streaming is passed through: a stream cannot be replayed once it has produced output. */
  getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    return this.model.getStreamedResponse(request);
  }

  getRetryAdvice(args: ModelRetryAdviceRequest) {
    return this.model.getRetryAdvice?.(args);
  }

  private pRetryOptions(signal: AbortSignal | undefined) {
    const { maxRetries, minDelayMs = 1_000, maxDelayMs = 20_000, jitter = true } = this.options;
    return {
      retries: maxRetries,
      factor: 2,
      minTimeout: minDelayMs,
      maxTimeout: maxDelayMs,
      randomize: jitter,
      signal,
      shouldRetry: ({ error }: { error: unknown }) => isThrottlingError(error),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft, retryDelay }: RetryLogContext) => {
        if (retriesLeft > 0 && isThrottlingError(error)) this.logRetry(error, attemptNumber, retryDelay);
      },
    };
  }

  private logRetry(error: APICallError, attempt: number, delayMs: number) {
    const { agent, jobId, log } = this.options;
    log.warn("Model call throttled; retrying", {
      agent,
      ...(jobId ? { jobId } : {}),
      attempt,
      delayMs,
      statusCode: error.statusCode,
      errorType: error.responseHeaders?.["x-amzn-errortype"],
      error: error.message,
    });
  }

  private throttled(error: APICallError): ThrottledError {
    const attempts = this.options.maxRetries + 1;
    return new ThrottledError(
      `Model throttled for ${this.options.agent} after ${attempts} attempts: ${error.message}`,
      { cause: error, attempts },
    );
  }
}

interface RetryLogContext {
  error: unknown;
  attemptNumber: number;
  retriesLeft: number;
  retryDelay: number;
}
