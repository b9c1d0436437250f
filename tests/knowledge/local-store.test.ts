import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOCAL_INDEX_FILE, LocalVectorStore, VectorSpaceMismatchError } from "../../lib/knowledge/local-store.js";
import { unitVector } from "./support.js";

const hashSpace = { name: "hash-v1", dimensions: 384 } as const;
const minilmSpace = { name: "minilm-l6-v2", dimensions: 384 } as const;
const metadata = (text: string) => ({ source: "notes/a.md", title: "A", text, date: "2026-01-05" });

describe("LocalVectorStore", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "alex-knowledge-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("starts empty when no index file exists", async () => {
    const store = await LocalVectorStore.open({ dir: join(dir, "nested"), space: hashSpace });
    expect(store.existedOnOpen).toBe(false);
    expect(await store.query(unitVector(0), 3)).toEqual([]);
  });

  it("ranks by cosine distance, upserts by key, persists and reloads", async () => {
    const store = await LocalVectorStore.open({ dir, space: hashSpace });
    const between = unitVector(0).map((x, i) => (i === 1 ? 1 : x));
    await store.put([
      { key: "x", vector: unitVector(0), metadata: metadata("x axis") },
      { key: "y", vector: unitVector(1), metadata: metadata("y axis") },
      { key: "xy", vector: between, metadata: metadata("diagonal") },
    ]);
    await store.put([{ key: "y", vector: unitVector(1), metadata: metadata("y axis, replaced") }]);

    const hits = await store.query(unitVector(0), 2);
    expect(hits.map((h) => h.key)).toEqual(["x", "xy"]);
    expect(hits[0].distance).toBeCloseTo(0, 12);
    expect(hits[1].distance).toBeCloseTo(1 - Math.SQRT1_2, 12);

    const reopened = await LocalVectorStore.open({ dir, space: hashSpace });
    expect(reopened.existedOnOpen).toBe(true);
    expect(reopened.size).toBe(3);
    expect(await reopened.query(unitVector(0), 2)).toEqual(hits);
    expect((await reopened.query(unitVector(1), 1))[0].metadata.text).toBe("y axis, replaced");

    const file = JSON.parse(readFileSync(join(dir, LOCAL_INDEX_FILE), "utf8"));
    expect(file).toMatchObject({ embedder: "hash-v1", dimensions: 384 });
  });

  it("refuses an index written by another embedder", async () => {
    const store = await LocalVectorStore.open({ dir, space: hashSpace });
    await store.put([{ key: "x", vector: unitVector(0), metadata: metadata("x") }]);
    const opening = LocalVectorStore.open({ dir, space: minilmSpace });
    await expect(opening).rejects.toBeInstanceOf(VectorSpaceMismatchError);
    await expect(opening).rejects.toThrow(/embedder "hash-v1", but this run uses "minilm-l6-v2"/);
  });

  it("refuses vectors and queries of the wrong dimension", async () => {
    const store = await LocalVectorStore.open({ dir, space: hashSpace });
    await expect(store.put([{ key: "x", vector: [1, 0], metadata: metadata("x") }])).rejects.toThrow(
      /expected 384 dimensions, got 2/,
    );
    await expect(store.query([1, 0], 1)).rejects.toThrow(/expected 384 dimensions, got 2/);
  });

  it("reports a corrupt index file clearly", async () => {
    writeFileSync(join(dir, LOCAL_INDEX_FILE), "{not json");
    await expect(LocalVectorStore.open({ dir, space: hashSpace })).rejects.toThrow(/index.json is not valid JSON/);
    writeFileSync(join(dir, LOCAL_INDEX_FILE), JSON.stringify({ hello: "world" }));
    await expect(LocalVectorStore.open({ dir, space: hashSpace })).rejects.toThrow(/is not a local vector index/);
  });
});
