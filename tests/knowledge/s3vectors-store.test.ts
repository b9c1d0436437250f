import { PutVectorsCommand, QueryVectorsCommand, S3VectorsClient } from "@aws-sdk/client-s3vectors";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { PUT_VECTORS_BATCH_LIMIT, S3VectorsStore } from "../../lib/knowledge/s3vectors-store.js";
import type { VectorRecord } from "../../lib/knowledge/types.js";
import { unitVector } from "./support.js";

const s3vectors = mockClient(S3VectorsClient);
afterAll(() => s3vectors.restore());
const space = { name: "minilm-l6-v2", dimensions: 384 } as const;
const store = () =>
  new S3VectorsStore({ bucket: "alex-vectors", index: "financial-research", region: "eu-west-1", space });

const record = (i: number, date?: string): VectorRecord => ({
  key: `k${i}`,
  vector: unitVector(i % 384),
  metadata: { source: "corpus/gold.md", title: "Gold", text: `passage ${i}`, ...(date ? { date } : {}) },
});

describe("S3VectorsStore", () => {
  beforeEach(() => s3vectors.reset());

  it("uses the configured region", async () => {
    expect(await store().client.config.region()).toBe("eu-west-1");
  });

  it("puts vectors with metadata and the embedder name", async () => {
    s3vectors.on(PutVectorsCommand).resolves({});
    await store().put([record(1, "2026-03-02"), record(2)]);
    const [call] = s3vectors.commandCalls(PutVectorsCommand);
    expect(call.args[0].input).toEqual({
      vectorBucketName: "alex-vectors",
      indexName: "financial-research",
      vectors: [
        {
          key: "k1",
          data: { float32: unitVector(1) },
          metadata: {
            source: "corpus/gold.md",
            title: "Gold",
            text: "passage 1",
            date: "2026-03-02",
            embedder: "minilm-l6-v2",
          },
        },
        {
          key: "k2",
          data: { float32: unitVector(2) },
          metadata: { source: "corpus/gold.md", title: "Gold", text: "passage 2", embedder: "minilm-l6-v2" },
        },
      ],
    });
  });

  it("splits puts into batches within the API limit", async () => {
    s3vectors.on(PutVectorsCommand).resolves({});
    await store().put(Array.from({ length: PUT_VECTORS_BATCH_LIMIT * 2 + 1 }, (_, i) => record(i)));
    const sizes = s3vectors.commandCalls(PutVectorsCommand).map((c) => c.args[0].input.vectors?.length);
    expect(sizes).toEqual([500, 500, 1]);
  });

  it("queries with the embedder filter and maps the hits", async () => {
    s3vectors.on(QueryVectorsCommand).resolves({
      distanceMetric: "cosine",
      vectors: [
        {
          key: "k1",
          distance: 0.12,
          metadata: {
            source: "corpus/gold.md",
            title: "Gold",
            text: "passage 1",
            date: "2026-03-02",
            embedder: "minilm-l6-v2",
          },
        },
        { key: "k9", distance: 0.3, metadata: { timestamp: "2025-01-01" } },
      ],
    });
    const hits = await store().query(unitVector(3), 5);

    expect(s3vectors.commandCalls(QueryVectorsCommand)[0].args[0].input).toEqual({
      vectorBucketName: "alex-vectors",
      indexName: "financial-research",
      queryVector: { float32: unitVector(3) },
      topK: 5,
      filter: { embedder: { $eq: "minilm-l6-v2" } },
      returnMetadata: true,
      returnDistance: true,
    });
    expect(hits).toEqual([
      {
        key: "k1",
        distance: 0.12,
        metadata: { source: "corpus/gold.md", title: "Gold", text: "passage 1", date: "2026-03-02" },
      },
    ]);
  });

  it("caps topK at the API limit and refuses a vector of the wrong dimension", async () => {
    s3vectors.on(QueryVectorsCommand).resolves({ distanceMetric: "cosine", vectors: [] });
    await store().query(unitVector(0), 1000);
    expect(s3vectors.commandCalls(QueryVectorsCommand)[0].args[0].input.topK).toBe(100);
    await expect(store().query([1, 0, 0], 3)).rejects.toThrow(/expected 384 dimensions, got 3/);
  });

  it("lets API errors surface", async () => {
    s3vectors.on(QueryVectorsCommand).rejects(new Error("AccessDeniedException"));
    await expect(store().query(unitVector(0), 3)).rejects.toThrow("AccessDeniedException");
  });
});
