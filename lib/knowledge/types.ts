import * as z from "zod";

/** Every embedder in this project produces 384-dimensional vectors (the all-MiniLM-L6-v2 shape). */
export const EMBEDDING_DIMENSIONS = 384;

/** Turns texts into vectors of one fixed vector space, identified by `name`. */
export interface Embedder {
  readonly name: string;
  readonly dimensions: typeof EMBEDDING_DIMENSIONS;
  embed(texts: string[]): Promise<number[][]>;
}

/** The vector space a store belongs to: vectors of different embedders are never mixed. */
export type VectorSpace = Pick<Embedder, "name" | "dimensions">;

/** A document to ingest: a markdown or text note. */
export interface KnowledgeDocument {
  source: string;
  title: string;
  text: string;
  date?: string;
}

/** What is stored next to each vector: the passage and where it came from. */
export const PassageMetadata = z.object({
  source: z.string(),
  title: z.string(),
  text: z.string(),
  date: z.string().optional(),
});
export type PassageMetadata = z.infer<typeof PassageMetadata>;

export interface VectorRecord {
  key: string;
  vector: number[];
  metadata: PassageMetadata;
}

/** A search result; `distance` is cosine distance (1 − cosine similarity), smaller is closer. */
export interface VectorHit {
  key: string;
  distance: number;
  metadata: PassageMetadata;
}

export interface VectorStore {
  put(records: VectorRecord[]): Promise<void>;
  query(vector: number[], topK: number): Promise<VectorHit[]>;
}
