import { EMBEDDING_DIMENSIONS } from "./types.js";

/** Scales a vector to unit length (a zero vector stays zero). */
export function l2Normalize(vector: number[]): number[] {
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector.map(() => 0) : vector.map((x) => x / norm);
}

/** Component-wise mean of equally long vectors. */
export function meanPool(vectors: number[][]): number[] {
  const sum = new Array<number>(vectors[0].length).fill(0);
  for (const vector of vectors) {
    vector.forEach((x, i) => {
      sum[i] += x;
    });
  }
  return sum.map((x) => x / vectors.length);
}

/** Cosine similarity; 0 when either vector is zero. */
export function cosineSimilarity(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Throws unless `vector` is an array of `dimensions` finite numbers; `what` names it in the message. */
export function assertVector(
  vector: unknown,
  what: string,
  dimensions: number = EMBEDDING_DIMENSIONS,
): asserts vector is number[] {
  if (!Array.isArray(vector))
    throw new TypeError(`${what}: expected an array of ${dimensions} numbers, got ${typeof vector}`);
  if (vector.length !== dimensions) {
    throw new RangeError(`${what}: expected ${dimensions} dimensions, got ${vector.length}`);
  }
  const bad = vector.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0) throw new TypeError(`${what}: element ${bad} is not a finite number (${String(vector[bad])})`);
}
