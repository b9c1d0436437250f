import type { Model, ModelRequest, ModelResponse } from "@openai/agents";
import { Usage } from "@openai/agents";
import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { isThrottlingError, ThrottledError, withModelRetry } from "../../lib/models/retry.js";

function apiError(statusCode: number, errorType?: string) {
  return new APICallError({
    message: `HTTP ${statusCode}`,
    url: "http://127.0.0.1/model/x/converse",
    requestBodyValues: {},
    statusCode,
    responseHeaders: errorType ? { "x-amzn-errortype": errorType } : {},
  });
}

/** A model that fails with the given errors, in order, then answers. */
function failingModel(errors: unknown[]): Model & { calls: number } {
  const model = {
    calls: 0,
    async getResponse(): Promise<ModelResponse> {
      const error = errors[model.calls++];
      if (error) throw error;
      return { usage: new Usage({ requests: 1 }), output: [] };
    },
    getStreamedResponse: () => {
      throw new Error("not used");
    },
  };
  return model;
}

const request = { input: "hi" } as ModelRequest;
const fast = { agent: "charter", jobId: "job-1", minDelayMs: 1, maxDelayMs: 2, log: { warn: () => {} } };

describe("isThrottlingError", () => {
  it.each([
    [429, undefined],
    [500, undefined],
    [503, undefined],
    [400, "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"],
    [400, "ModelNotReadyException:http://internal.amazon.com/coral/com.amazon.bedrock/"],
    [424, "ServiceUnavailableException:http://internal.amazon.com/coral/com.amazon.bedrock/"],
  ])("retries status %i with error type %s", (status, errorType) => {
    expect(isThrottlingError(apiError(status, errorType))).toBe(true);
  });

  it.each([
    ["a validation error", apiError(400, "ValidationException:http://internal.amazon.com/coral/")],
    ["an access error", apiError(403, "AccessDeniedException:http://internal.amazon.com/coral/")],
    ["a plain Error", new Error("HTTP 429")],
    ["a look-alike object", { statusCode: 429, responseHeaders: {} }],
  ])("does not retry %s", (_, error) => {
    expect(isThrottlingError(error)).toBe(false);
  });
});

describe("withModelRetry", () => {
  it("passes a non-retryable error through unchanged after one call", async () => {
    const failure = new TypeError("bad input");
    const inner = failingModel([failure]);

    await expect(withModelRetry(inner, { ...fast, maxRetries: 3 }).getResponse(request)).rejects.toBe(failure);
    expect(inner.calls).toBe(1);
  });

  it("wraps the last throttle in ThrottledError once the retries are spent", async () => {
    const last = apiError(503);
    const inner = failingModel([apiError(429), apiError(429), last]);

    const error = await withModelRetry(inner, { ...fast, maxRetries: 2 }).getResponse(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ name: "ThrottledError", attempts: 3, cause: last });
    expect(inner.calls).toBe(3);
  });

  it("stops retrying when the run is aborted", async () => {
    const controller = new AbortController();
    const inner = failingModel([apiError(429), apiError(429), apiError(429)]);
    const log = { warn: () => controller.abort(new Error("run cancelled")) };

    const attempt = withModelRetry(inner, { ...fast, log, maxRetries: 5 }).getResponse({ ...request, signal: controller.signal });

    await expect(attempt).rejects.toThrow("run cancelled");
    expect(inner.calls).toBe(1);
  });
});
