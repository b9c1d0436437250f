import {
  InvokeEndpointCommand,
  type InvokeEndpointCommandOutput,
  ModelError,
  SageMakerRuntimeClient,
} from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  EmbeddingResponseError,
  parseFeatureExtraction,
  SageMakerEmbedder,
} from "../../lib/knowledge/sagemaker-embedder.js";

const sagemaker = mockClient(SageMakerRuntimeClient);
afterAll(() => sagemaker.restore());

const body = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as InvokeEndpointCommandOutput["Body"];
const constant = (x: number, n = 384) => new Array<number>(n).fill(x);
const basis = (index: number) => constant(0).map((_, i) => (i === index ? 1 : 0));

describe("SageMakerEmbedder", () => {
  beforeEach(() => {
    sagemaker.reset();
    vi.stubEnv("AWS_REGION", "ap-southeast-2");
  });
  afterEach(() => vi.unstubAllEnvs());

  const embedder = () => new SageMakerEmbedder({ endpointName: "alex-embedding-endpoint", region: "eu-west-1" });

  it("sends the exact InvokeEndpoint request, in the configured region (not AWS_REGION)", async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: body([basis(0)]) });
    const e = embedder();
    await e.embed(["market analysis GLD"]);

    expect(await e.client.config.region()).toBe("eu-west-1");
    const calls = sagemaker.commandCalls(InvokeEndpointCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toEqual({
      EndpointName: "alex-embedding-endpoint",
      ContentType: "application/json",
      Accept: "application/json",
      Body: JSON.stringify({ inputs: "market analysis GLD" }),
    });
    expect(e.name).toBe("minilm-l6-v2");
    expect(e.dimensions).toBe(384);
  });

  it("mean-pools token vectors [[[384]...]] and L2-normalises", async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: body([[basis(0), basis(1), constant(0)]]) });
    const [vector] = await embedder().embed(["two tokens and padding"]);
    expect(vector[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vector[1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(vector.slice(2).every((x) => x === 0)).toBe(true);
  });

  it.each([
    ["[[384]]", [constant(2)]],
    ["[384]", constant(2)],
  ])("accepts a pooled %s response and normalises it", async (_, response) => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: body(response) });
    const [vector] = await embedder().embed(["pooled"]);
    expect(vector).toHaveLength(384);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 12);
    expect(vector[0]).toBeCloseTo(1 / Math.sqrt(384), 12);
  });

  it("embeds several texts with one call each, in order", async () => {
    sagemaker
      .on(InvokeEndpointCommand, { Body: JSON.stringify({ inputs: "a" }) })
      .resolves({ Body: body([basis(0)]) })
      .on(InvokeEndpointCommand, { Body: JSON.stringify({ inputs: "b" }) })
      .resolves({ Body: body([basis(1)]) });
    const vectors = await embedder().embed(["a", "b"]);
    expect(vectors.map((v) => v.indexOf(1))).toEqual([0, 1]);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(2);
  });

  it("fails clearly on a wrong dimension", async () => {
    sagemaker.on(InvokeEndpointCommand).resolves({ Body: body([[constant(0.1, 768)]]) });
    const error = await embedder()
      .embed(["x"])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbeddingResponseError);
    expect((error as Error).message).toMatch(/"alex-embedding-endpoint".*768 dimensions; expected 384/);
  });

  it("lets endpoint errors surface, without retrying them", async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(new ModelError({ message: "model crashed", $metadata: {} }));
    await expect(embedder().embed(["x"])).rejects.toThrow("model crashed");
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(1);
  });

  const throttled = (name: string, status: number) =>
    Object.assign(new Error("Rate exceeded"), { name, $metadata: { httpStatusCode: status } });
  const quickRetry = { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 4 };

  it("waits out throttling (ThrottlingException, 429, 503) with backoff, then answers", async () => {
    sagemaker
      .on(InvokeEndpointCommand)
      .rejectsOnce(throttled("ThrottlingException", 400))
      .rejectsOnce(throttled("TooManyRequests", 429))
      .rejectsOnce(throttled("ServiceUnavailable", 503))
      .resolves({ Body: body([constant(1)]) });
    const e = new SageMakerEmbedder({ endpointName: "e", region: "eu-west-1", throttleRetry: quickRetry });
    const [vector] = await e.embed(["x"]);
    expect(vector).toHaveLength(384);
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(4);
  });

  it("gives up after its retries when the endpoint keeps throttling", async () => {
    sagemaker.on(InvokeEndpointCommand).rejects(throttled("ThrottlingException", 400));
    const e = new SageMakerEmbedder({ endpointName: "e", region: "eu-west-1", throttleRetry: quickRetry });
    await expect(e.embed(["x"])).rejects.toThrow("Rate exceeded");
    expect(sagemaker.commandCalls(InvokeEndpointCommand)).toHaveLength(1 + quickRetry.retries);
  });
});

describe("parseFeatureExtraction", () => {
  it("rejects non-finite values, non-JSON and batch responses", () => {
    const withNull = constant(0.1);
    (withNull as unknown[])[7] = null;
    expect(() => parseFeatureExtraction(JSON.stringify([withNull]))).toThrow(/element 7 is not a finite number/);
    expect(() => parseFeatureExtraction("<html>")).toThrow(/not JSON/);
    expect(() => parseFeatureExtraction(JSON.stringify([[constant(1)], [constant(1)]]))).toThrow(/unexpected shape/);
    expect(() => parseFeatureExtraction(JSON.stringify({ error: "boom" }))).toThrow(/unexpected shape.*boom/);
  });
});
