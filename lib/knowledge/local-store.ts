import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import * as z from "zod";
import { PassageMetadata, type VectorHit, type VectorRecord, type VectorSpace, type VectorStore } from "./types.js";
import { assertVector, cosineSimilarity } from "./vectors.js";

export const LOCAL_INDEX_FILE = "index.json";
const FORMAT = "alex-local-vectors/1";

const IndexFile = z.object({
  format: z.literal(FORMAT),
  embedder: z.string(),
  dimensions: z.number().int().positive(),
  records: z.array(z.object({ key: z.string(), vector: z.array(z.number()), metadata: PassageMetadata })),
});

type IndexFile = z.infer<typeof IndexFile>;

export interface LocalVectorStoreOptions {
  /** Directory holding the index file (config.knowledge.localDir). */
  dir: string;
  /** The embedder whose vectors this store holds; an index written by another embedder is refused. */
  space: VectorSpace;
}

export class VectorSpaceMismatchError extends Error {
  override name = "VectorSpaceMismatchError";
}

/**
 * An in-process brute-force cosine index persisted as one JSON file, for local runs. The file
 * records the embedder name and dimensions so vectors of two embedders are never compared.
 */
export class LocalVectorStore implements VectorStore {
  readonly path: string;
  readonly space: VectorSpace;
  private readonly records = new Map<string, VectorRecord>();
  private fileExistedOnOpen = false;

  private constructor(options: LocalVectorStoreOptions) {
    this.path = join(options.dir, LOCAL_INDEX_FILE);
    this.space = options.space;
  }

  /** Opens the index in `dir` (empty if its file does not exist yet); fails if it belongs to another embedder. */
  static async open(options: LocalVectorStoreOptions): Promise<LocalVectorStore> {
    const store = new LocalVectorStore(options);
    await store.load();
    return store;
  }

  /** Whether the index file existed when the store was opened (false on a fresh clone). */
  get existedOnOpen(): boolean {
    return this.fileExistedOnOpen;
  }

  get size(): number {
    return this.records.size;
  }

  /** Inserts or replaces records by key, then rewrites the index file atomically. */
  async put(records: VectorRecord[]): Promise<void> {
    for (const record of records) {
      assertVector(record.vector, `vector "${record.key}"`, this.space.dimensions);
      this.records.set(record.key, record);
    }
    await this.save();
  }

  async query(vector: number[], topK: number): Promise<VectorHit[]> {
    assertVector(vector, `query vector for ${this.space.name}`, this.space.dimensions);
    return [...this.records.values()]
      .map(({ key, vector: stored, metadata }) => ({ key, distance: 1 - cosineSimilarity(vector, stored), metadata }))
      .sort((a, b) => a.distance - b.distance || a.key.localeCompare(b.key))
      .slice(0, Math.max(0, topK));
  }

  private async load(): Promise<void> {
    const text = await readIfExists(this.path);
    if (text === undefined) return;
    const index = parseIndexFile(text, this.path);
    this.assertSameSpace(index);
    for (const record of index.records) this.records.set(record.key, record);
    this.fileExistedOnOpen = true;
  }

  private assertSameSpace(index: IndexFile): void {
    const { name, dimensions } = this.space;
    if (index.embedder === name && index.dimensions === dimensions) return;
    throw new VectorSpaceMismatchError(
      `${this.path} holds ${index.dimensions}-d vectors from embedder "${index.embedder}", but this run uses "${name}" (${dimensions}-d). ` +
        `Vectors of different embedders cannot be compared: use another ALEX_KNOWLEDGE_DIR or delete the index and ingest again.`,
    );
  }

  private async save(): Promise<void> {
    const index: IndexFile = {
      format: FORMAT,
      embedder: this.space.name,
      dimensions: this.space.dimensions,
      records: [...this.records.values()],
    };
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, JSON.stringify(index));
    await rename(temporary, this.path);
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parseIndexFile(text: string, path: string): IndexFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); delete it and ingest again`);
  }
  const parsed = IndexFile.safeParse(json);
  if (!parsed.success)
    throw new Error(`${path} is not a local vector index (${FORMAT}): ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
