import { Agent, type Model, type ModelResponse, Usage } from "@openai/agents";
import { APICallError } from "ai";
import { describe, expect, it } from "vitest";
import { runAgent } from "../../lib/agents/common.js";
import { loadConfig } from "../../lib/config.js";
import { isThrottlingError, type RetryLog, ThrottledError } from "../../lib/models/retry.js";

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
      const message = {
        type: "message" as const,
        role: "assistant" as const,
        status: "completed" as const,
        content: [{ type: "output_text" as const, text: "ok" }],
      };
      return { usage: new Usage({ requests: 1 }), output: [message] };
    },
    getStreamedResponse: () => {
      throw new Error("not used");
    },
  };
  return model;
}

/** Runs a one-turn agent on `model` through the project's Runner, with the SDK's model retry settings. */
function runOn(model: Model, maxRetries: number, options: { log?: RetryLog; signal?: AbortSignal } = {}) {
  const config = loadConfig({ ALEX_MODEL: "offline", ALEX_MODEL_MAX_RETRIES: String(maxRetries) });
  const deps = {
    config,
    modelFor: () => model,
    retry: { minDelayMs: 1, maxDelayMs: 2, log: options.log ?? { warn: () => {} } },
  };
  const agent = new Agent({ name: "Charter", instructions: "Answer." });
  const run = { name: "charter" as const, jobId: "job-1", offlinePolicy: () => ({ final: "unused" }), maxTurns: 2 };
  return runAgent(deps, agent, "hi", { ...run, signal: options.signal });
}

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

describe("model retry through the SDK's retry settings", () => {
  it("passes a non-retryable error through unchanged after one call", async () => {
    const failure = new TypeError("bad input");
    const inner = failingModel([failure]);

    await expect(runOn(inner, 3)).rejects.toBe(failure);
    expect(inner.calls).toBe(1);
  });

  it("wraps the last throttle in ThrottledError once the retries are spent", async () => {
    const last = apiError(503);
    const inner = failingModel([apiError(429), apiError(429), last]);

    const error = await runOn(inner, 2).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ThrottledError);
    expect(error).toMatchObject({ name: "ThrottledError", attempts: 3, cause: last });
    expect(inner.calls).toBe(3);
  });

  it("stops retrying when the run is aborted", async () => {
    const controller = new AbortController();
    const inner = failingModel([apiError(429), apiError(429), apiError(429)]);
    const log = { warn: () => controller.abort(new Error("run cancelled")) };

    const attempt = runOn(inner, 5, { log, signal: controller.signal });

    await expect(attempt).rejects.toThrow("run cancelled");
    expect(inner.calls).toBe(1);
  });
});
