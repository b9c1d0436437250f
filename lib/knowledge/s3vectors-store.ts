import {
  type PutInputVector,
  PutVectorsCommand,
  type QueryOutputVector,
  QueryVectorsCommand,
  S3VectorsClient,
} from "@aws-sdk/client-s3vectors";
import * as z from "zod";
import { logger } from "../logger.js";
import { PassageMetadata, type VectorHit, type VectorRecord, type VectorSpace, type VectorStore } from "./types.js";
import { assertVector } from "./vectors.js";

/** S3 Vectors API limits: vectors per PutVectors call, and topK per QueryVectors call. */
export const PUT_VECTORS_BATCH_LIMIT = 500;
const QUERY_TOP_K_LIMIT = 100;

export interface S3VectorsStoreOptions {
  bucket: string;
  index: string;
  /** Always DEFAULT_AWS_REGION from config, never AWS_REGION. */
  region: string;
  space: VectorSpace;
  client?: S3VectorsClient;
}

/** A hit's metadata: a passage with its text (a hit without one is skipped). */
const HitMetadata = PassageMetadata.extend({ text: z.string().min(1) });

/**
 * S3 Vectors index (dimension 384, cosine). Every vector carries `embedder` in its metadata and every
 * query filters on it, so vectors from another embedder are never returned. `text` and `title` are
 * long: create the index with them as non-filterable metadata keys (filterable metadata ≤ 2 KB).
 */
export class S3VectorsStore implements VectorStore {
  readonly client: S3VectorsClient;
  private readonly options: S3VectorsStoreOptions;

  constructor(options: S3VectorsStoreOptions) {
    this.options = options;
    this.client = options.client ?? new S3VectorsClient({ region: options.region });
  }

  async put(records: VectorRecord[]): Promise<void> {
    const vectors = records.map((record) => this.toPutVector(record));
    for (let start = 0; start < vectors.length; start += PUT_VECTORS_BATCH_LIMIT) {
      await this.client.send(
        new PutVectorsCommand({
          vectorBucketName: this.options.bucket,
          indexName: this.options.index,
          vectors: vectors.slice(start, start + PUT_VECTORS_BATCH_LIMIT),
        }),
      );
    }
  }

  async query(vector: number[], topK: number): Promise<VectorHit[]> {
    assertVector(vector, `query vector for ${this.options.space.name}`, this.options.space.dimensions);
    if (topK < 1) return [];
    const response = await this.client.send(
      new QueryVectorsCommand({
        vectorBucketName: this.options.bucket,
        indexName: this.options.index,
        queryVector: { float32: vector },
        topK: Math.min(Math.floor(topK), QUERY_TOP_K_LIMIT),
        filter: { embedder: { $eq: this.options.space.name } },
        returnMetadata: true,
        returnDistance: true,
      }),
    );
    return (response.vectors ?? []).flatMap((hit) => this.toHit(hit));
  }

  private toPutVector({ key, vector, metadata }: VectorRecord): PutInputVector {
    assertVector(vector, `vector "${key}"`, this.options.space.dimensions);
    const { source, title, text, date } = metadata;
    return {
      key,
      data: { float32: vector },
      metadata: { source, title, text, ...(date ? { date } : {}), embedder: this.options.space.name },
    };
  }

  private toHit(hit: QueryOutputVector): VectorHit[] {
    const metadata = HitMetadata.safeParse(hit.metadata);
    if (!hit.key || !metadata.success) {
      logger.warn("Skipping an S3 Vectors hit without passage metadata", { key: hit.key, index: this.options.index });
      return [];
    }
    if (hit.distance === undefined) throw new Error(`S3 Vectors returned hit "${hit.key}" without a distance`);
    return [{ key: hit.key, distance: hit.distance, metadata: withoutEmptyDate(metadata.data) }];
  }
}

function withoutEmptyDate({ date, ...rest }: PassageMetadata): PassageMetadata {
  return date ? { ...rest, date } : rest;
}
