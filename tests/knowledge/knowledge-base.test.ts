import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { QueryVectorsCommand, S3VectorsClient } from "@aws-sdk/client-s3vectors";
import { InvokeEndpointCommand, ModelError, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { loadConfig } from "../../lib/config.js";
import { chunkMarkdown } from "../../lib/knowledge/chunk.js";
import { loadBundledCorpus, parseDocument } from "../../lib/knowledge/documents.js";
import { HashEmbedder } from "../../lib/knowledge/hash-embedder.js";
import {
  createKnowledgeBase,
  excerpt,
  fundSubject,
  ingestFiles,
  KnowledgeBase,
  passageKey,
} from "../../lib/knowledge/knowledge-base.js";
import { LocalVectorStore } from "../../lib/knowledge/local-store.js";
import { S3VectorsStore } from "../../lib/knowledge/s3vectors-store.js";
import { SageMakerEmbedder } from "../../lib/knowledge/sagemaker-embedder.js";
import { InMemoryStore } from "./support.js";

const INSIGHT_LINE = /^- .+ \(2026-\d\d-\d\d\): .{20,305}$/;

describe("chunkMarkdown and parseDocument", () => {
  it("splits by heading and paragraph and keeps passages near the size limit", () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence ${i} about bonds.`).join(" ");
    const passages = chunkMarkdown(`# Title\n\nIntro one.\n\nIntro two.\n\n## Section\n\n${long}`, { maxChars: 200 });
    expect(passages[0]).toEqual({ heading: "Title", text: "Intro one.\nIntro two." });
    expect(passages.slice(1).every((p) => p.heading === "Section" && p.text.length <= 200)).toBe(true);
    expect(
      passages
        .slice(1)
        .map((p) => p.text)
        .join(" "),
    ).toBe(long);
  });

  it("takes the title from the first heading and the date from a Date: line", () => {
    expect(parseDocument("# Gold notes\n\nDate: 2026-03-02\n\nBody.", "notes/gold.md", "gold")).toEqual({
      source: "notes/gold.md",
      title: "Gold notes",
      date: "2026-03-02",
      text: "# Gold notes\n\n\n\nBody.",
    });
    expect(parseDocument("Just text.", "a.txt", "a")).toEqual({ source: "a.txt", title: "a", text: "Just text." });
  });

  it("has a bundled corpus of dated, titled notes of 150–400 words", async () => {
    const corpus = await loadBundledCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(10);
    expect(corpus.length).toBeLessThanOrEqual(14);
    for (const note of corpus) {
      expect(note.date).toMatch(/^2026-\d\d-\d\d$/);
      expect(note.source).toMatch(/^corpus\/.+\.md$/);
      const words = note.text.split(/\s+/).length;
      expect(words, note.source).toBeGreaterThanOrEqual(150);
      expect(words, note.source).toBeLessThanOrEqual(400);
    }
  });
});

describe("KnowledgeBase", () => {
  it("ingests under deterministic keys, so re-ingesting replaces passages", async () => {
    const store = new InMemoryStore();
    const kb = new KnowledgeBase({ embedder: new HashEmbedder(), store });
    const doc = { source: "notes/a.md", title: "A", text: "# A\n\nFirst.\n\n## B\n\nSecond." };
    expect(await kb.ingest([doc])).toEqual({ documents: 1, passages: 2 });
    await kb.ingest([doc]);
    expect([...store.records.keys()]).toEqual([passageKey("notes/a.md", 0), passageKey("notes/a.md", 1)]);
    expect(store.records.get(passageKey("notes/a.md", 1))?.metadata).toEqual({
      source: "notes/a.md",
      title: "A",
      text: "Second.",
    });
  });

  it("formats insights for GLD and BND from the bundled corpus", async () => {
    const kb = new KnowledgeBase({ embedder: new HashEmbedder(), store: new InMemoryStore() });
    await kb.ingest(await loadBundledCorpus());
    const text = await kb.marketInsights(["GLD", "bnd"]);
    const [header, ...lines] = text.split("\n");

    expect(header).toBe("Market insights for GLD, BND:");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(5);
    for (const line of lines) expect(line).toMatch(INSIGHT_LINE);
    expect(lines[0]).toMatch(/^- Gold, silver and commodities \(GLD, SLV, IAU\) \(2026-03-02\): /);
    expect(lines[1]).toMatch(/^- US aggregate bonds \(AGG, BND\), duration and interest-rate risk \(2026-02-09\): /);
  });

  it("covers every symbol before adding second passages", async () => {
    const kb = new KnowledgeBase({ embedder: new HashEmbedder(), store: new InMemoryStore() });
    await kb.ingest(await loadBundledCorpus());
    const lines = (await kb.marketInsights(["SPY", "QQQ", "BND", "VEA", "GLD"])).split("\n").slice(1);
    expect(lines.map((l) => l.slice(2, l.indexOf(" (2026")))).toEqual([
      "US large-cap stocks and S&P 500 index funds (SPY, VOO, IVV, VTI)",
      "Nasdaq-100, QQQ and technology concentration",
      "US aggregate bonds (AGG, BND), duration and interest-rate risk",
      "International stocks: developed (VEA, EFA) and emerging markets (VWO), VXUS",
      "Gold, silver and commodities (GLD, SLV, IAU)",
    ]);
  });

  it("says so plainly when nothing is found", async () => {
    const kb = new KnowledgeBase({ embedder: new HashEmbedder(), store: new InMemoryStore() });
    expect(await kb.marketInsights(["GLD", "BND"])).toBe(
      "No market insights found in the knowledge base for GLD, BND.",
    );
    expect(await kb.marketInsights([])).toBe("No market insights found in the knowledge base for the general market.");
  });

  it("lets embedding failures surface instead of reporting no insights", async () => {
    const sagemaker = mockClient(SageMakerRuntimeClient);
    onTestFinished(() => sagemaker.restore());
    sagemaker.on(InvokeEndpointCommand).rejects(new ModelError({ message: "endpoint is down", $metadata: {} }));
    const embedder = new SageMakerEmbedder({ endpointName: "e", region: "us-east-1" });
    const kb = new KnowledgeBase({ embedder, store: new InMemoryStore() });
    await expect(kb.marketInsights(["GLD"])).rejects.toThrow("endpoint is down");
  });

  it("cuts excerpts at a word boundary and strips markdown emphasis", () => {
    expect(excerpt("**Bold** and `code`", 300)).toBe("Bold and code");
    expect(excerpt("word ".repeat(100), 30)).toBe("word word word word word word…");
    expect(excerpt("a".repeat(100), 30)).toBe(`${"a".repeat(29)}…`);
    expect(fundSubject("Vanguard Total Bond Market ETF")).toBe("Total Bond Market");
  });
});

describe("createKnowledgeBase and ingestFiles", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "alex-kb-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const localConfig = () => loadConfig({ ALEX_KNOWLEDGE_DIR: join(dir, "knowledge") });

  it("seeds a fresh local index with the bundled corpus, once", async () => {
    const kb = await createKnowledgeBase(localConfig());
    expect(kb.embedder.name).toBe("hash-v1");
    expect(kb.store).toBeInstanceOf(LocalVectorStore);
    const size = (kb.store as LocalVectorStore).size;
    expect(size).toBeGreaterThan(14);
    expect(await kb.marketInsights(["GLD"])).toMatch(/^Market insights for GLD:\n- Gold/);

    const reopened = await createKnowledgeBase(localConfig());
    expect((reopened.store as LocalVectorStore).existedOnOpen).toBe(true);
    expect((reopened.store as LocalVectorStore).size).toBe(size);
  });

  it("ingests .md and .txt files and refuses other types", async () => {
    const kb = new KnowledgeBase({ embedder: new HashEmbedder(), store: new InMemoryStore() });
    const md = join(dir, "uranium.md");
    const txt = join(dir, "lithium-notes.txt");
    writeFileSync(md, "# Uranium miners (URA)\n\nDate: 2026-05-01\n\nURA holds uranium mining companies.");
    writeFileSync(txt, "LIT holds lithium producers and battery makers.");
    expect(await ingestFiles([md, txt], kb)).toEqual({ documents: 2, passages: 2 });

    const [uranium] = await kb.search("URA uranium", 1);
    expect(uranium.metadata).toMatchObject({ title: "Uranium miners (URA)", date: "2026-05-01" });
    const [lithium] = await kb.search("lithium battery", 1);
    expect(lithium.metadata.title).toBe("lithium-notes");
    await expect(ingestFiles([join(dir, "report.pdf")], kb)).rejects.toThrow(/only .md, .markdown and .txt/);
  });

  it("wires SageMaker and S3 Vectors from config, both in DEFAULT_AWS_REGION", async () => {
    vi.stubEnv("AWS_REGION", "ap-south-1");
    onTestFinished(() => {
      vi.unstubAllEnvs();
    });
    const s3vectors = mockClient(S3VectorsClient);
    const sagemaker = mockClient(SageMakerRuntimeClient);
    onTestFinished(() => {
      s3vectors.restore();
      sagemaker.restore();
    });
    const config = loadConfig({
      DEFAULT_AWS_REGION: "eu-central-1",
      BEDROCK_REGION: "us-west-2",
      ALEX_EMBEDDER: "sagemaker",
      SAGEMAKER_ENDPOINT: "alex-embedding-endpoint",
      ALEX_VECTOR_STORE: "s3vectors",
      VECTOR_BUCKET: "alex-vectors-123",
    });
    const kb = await createKnowledgeBase(config);
    expect(kb.embedder).toBeInstanceOf(SageMakerEmbedder);
    expect(kb.store).toBeInstanceOf(S3VectorsStore);
    expect(await (kb.embedder as SageMakerEmbedder).client.config.region()).toBe("eu-central-1");
    expect(await (kb.store as S3VectorsStore).client.config.region()).toBe("eu-central-1");
    expect(sagemaker.calls()).toHaveLength(0);
    expect(s3vectors.calls()).toHaveLength(0);

    const token = new Array<number>(384).fill(0.5);
    sagemaker
      .on(InvokeEndpointCommand)
      .resolves({ Body: new TextEncoder().encode(JSON.stringify([[token]])) as never });
    s3vectors.on(QueryVectorsCommand).resolves({ distanceMetric: "cosine", vectors: [] });
    expect(await kb.marketInsights(["GLD"])).toBe("No market insights found in the knowledge base for GLD.");
    expect(s3vectors.commandCalls(QueryVectorsCommand)[0].args[0].input).toMatchObject({
      vectorBucketName: "alex-vectors-123",
      indexName: "financial-research",
      filter: { embedder: { $eq: "minilm-l6-v2" } },
    });
  });
});
