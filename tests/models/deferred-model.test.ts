import { type Model, type ModelRequest, type ModelResponse, Usage } from "@openai/agents-core";
import { describe, expect, it } from "vitest";
import { DeferredModel } from "../../lib/models/provider.js";

const request = { input: "hi" } as unknown as ModelRequest;
const response: ModelResponse = { usage: new Usage({ requests: 1 }), output: [] };

/** A loaded model that answers and advises a retry for every error. */
const loadedModel: Model = {
  getResponse: async () => response,
  getStreamedResponse: async function* () {},
  getRetryAdvice: () => ({ suggested: true, reason: "provider says so" }),
};

describe("a model whose provider is imported on its first request", () => {
  it("loads once, on the first request, and answers through the loaded model", async () => {
    let loads = 0;
    const model = new DeferredModel(async () => {
      loads++;
      return loadedModel;
    });
    expect(loads).toBe(0);
    await expect(Promise.all([model.getResponse(request), model.getResponse(request)])).resolves.toEqual([
      response,
      response,
    ]);
    expect(loads).toBe(1);
  });

  it("gives the loaded model's retry advice, and none before it is loaded", async () => {
    const model = new DeferredModel(async () => loadedModel);
    const advice = { error: new Error("throttled"), attempt: 1, stream: false } as never;
    expect(model.getRetryAdvice(advice)).toBeUndefined();
    await model.getResponse(request);
    expect(model.getRetryAdvice(advice)).toEqual({ suggested: true, reason: "provider says so" });
  });

  it("tries the import again after it failed", async () => {
    let loads = 0;
    const model = new DeferredModel(async () => {
      if (++loads === 1) throw new Error("import failed");
      return loadedModel;
    });
    await expect(model.getResponse(request)).rejects.toThrow("import failed");
    await expect(model.getResponse(request)).resolves.toBe(response);
    expect(loads).toBe(2);
  });
});
