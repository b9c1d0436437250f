import type { VectorHit, VectorRecord, VectorStore } from "../../lib/knowledge/types.js";
import { cosineSimilarity } from "../../lib/knowledge/vectors.js";

/** A store with no file behind it, for tests that are about the knowledge base, not the store. */
export class InMemoryStore implements VectorStore {
  readonly records = new Map<string, VectorRecord>();

  async put(records: VectorRecord[]): Promise<void> {
    for (const record of records) this.records.set(record.key, record);
  }

  async query(vector: number[], topK: number): Promise<VectorHit[]> {
    return [...this.records.values()]
      .map(({ key, vector: v, metadata }) => ({ key, distance: 1 - cosineSimilarity(vector, v), metadata }))
      .sort((a, b) => a.distance - b.distance)
      .slice(0, topK);
  }
}

export const unitVector = (index: number, dimensions = 384): number[] =>
  Array.from({ length: dimensions }, (_, i) => (i === index ? 1 : 0));
