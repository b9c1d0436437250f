import { createHash } from "node:crypto";
import type { S3VectorsClient } from "@aws-sdk/client-s3vectors";
import type { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { type Config, ConfigError } from "../config.js";
import { logger } from "../logger.js";
import { SEED_INSTRUMENTS } from "../seed/instruments.js";
import { chunkMarkdown } from "./chunk.js";
import { loadBundledCorpus, readDocumentFile } from "./documents.js";
import { HashEmbedder } from "./hash-embedder.js";
import { LocalVectorStore } from "./local-store.js";
import type { Embedder, KnowledgeDocument, VectorHit, VectorRecord, VectorStore } from "./types.js";

const MAX_INSIGHTS = 5;
const CANDIDATES_PER_QUERY = 10;
const MAX_SYMBOLS_QUERIED = 8;
const EXCERPT_CHARS = 300;
const DEFAULT_MAX_DISTANCE = 0.9;
const GENERAL_QUERY = "market outlook diversification asset allocation";

export interface KnowledgeBaseOptions {
  embedder: Embedder;
  store: VectorStore;
  /** Instrument names by symbol, added to each symbol's query (defaults to the seed instruments). */
  symbolNames?: ReadonlyMap<string, string>;
  /** Hits farther than this cosine distance are not insights (0 = identical, 1 = unrelated). */
  maxDistance?: number;
}

export interface IngestResult {
  documents: number;
  passages: number;
}

/** Market notes the reporter is given for its largest holdings (looked up before its run): ingest, search, format. */
export class KnowledgeBase {
  readonly embedder: Embedder;
  readonly store: VectorStore;
  private readonly symbolNames: ReadonlyMap<string, string>;
  private readonly maxDistance: number;

  constructor(options: KnowledgeBaseOptions) {
    this.embedder = options.embedder;
    this.store = options.store;
    this.symbolNames = options.symbolNames ?? seedSymbolNames();
    this.maxDistance = options.maxDistance ?? DEFAULT_MAX_DISTANCE;
  }

  /** Chunks each document into passages, embeds them and upserts them under deterministic keys. */
  async ingest(documents: KnowledgeDocument[]): Promise<IngestResult> {
    const records = documents.flatMap(toPassageRecords);
    if (records.length === 0) return { documents: documents.length, passages: 0 };
    const vectors = await this.embedder.embed(records.map((r) => r.embeddingText));
    await this.store.put(records.map(({ key, metadata }, i) => ({ key, vector: vectors[i], metadata })));
    logger.info("Ingested knowledge documents", {
      documents: documents.length,
      passages: records.length,
      embedder: this.embedder.name,
    });
    return { documents: documents.length, passages: records.length };
  }

  async search(query: string, topK = MAX_INSIGHTS): Promise<VectorHit[]> {
    const [vector] = await this.embedder.embed([query]);
    return this.store.query(vector, topK);
  }

  /**
   * The reporter's market insights: one query per symbol (symbol + known fund subject); passages that
   * name the ticker go before those that merely sound alike; then round-robin so every symbol is
   * represented, at most five lines. Embedding or store failures are thrown, not hidden behind
   * "no insights".
   */
  async marketInsights(symbols: string[]): Promise<string> {
    const wanted = uniqueSymbols(symbols).slice(0, MAX_SYMBOLS_QUERIED);
    const queries = wanted.length > 0 ? wanted.map((s) => this.symbolQuery(s)) : [GENERAL_QUERY];
    const vectors = await this.embedder.embed(queries);
    const hitLists = await Promise.all(vectors.map((v) => this.store.query(v, CANDIDATES_PER_QUERY)));
    const relevant = hitLists.map((hits, i) => {
      const close = hits.filter((h) => h.distance <= this.maxDistance);
      return wanted.length > 0 ? namingFirst(close, wanted[i]) : onePerSource(close);
    });
    const chosen = pickInsights(relevant, MAX_INSIGHTS);
    const subject = wanted.length > 0 ? wanted.join(", ") : "the general market";
    if (chosen.length === 0) return `No market insights found in the knowledge base for ${subject}.`;
    return [`Market insights for ${subject}:`, ...chosen.map(formatInsight)].join("\n");
  }

  private symbolQuery(symbol: string): string {
    const name = fundSubject(this.symbolNames.get(symbol) ?? "");
    return name ? `${symbol} ${name}` : symbol;
  }
}

/** AWS SDK clients to use instead of new ones (tests pass mocked clients). */
export interface KnowledgeClients {
  sagemaker?: SageMakerRuntimeClient;
  s3vectors?: S3VectorsClient;
}

export type KnowledgeConfig = Pick<Config, "knowledge" | "awsRegion">;

/**
 * Builds the knowledge base the config asks for. A local store whose index file does not exist yet
 * is seeded with the bundled corpus, so a fresh clone retrieves something.
 */
export async function createKnowledgeBase(
  config: KnowledgeConfig,
  clients: KnowledgeClients = {},
): Promise<KnowledgeBase> {
  const embedder = await createEmbedder(config, clients.sagemaker);
  const store = await createStore(config, embedder, clients.s3vectors);
  const knowledgeBase = new KnowledgeBase({ embedder, store });
  if (store instanceof LocalVectorStore && !store.existedOnOpen) {
    await knowledgeBase.ingest(await loadBundledCorpus());
  }
  return knowledgeBase;
}

/** Reads .md/.txt files (title = first heading or file name) and ingests them: `alex ingest FILES`. */
export async function ingestFiles(paths: string[], kb: KnowledgeBase): Promise<IngestResult> {
  const documents = await Promise.all(paths.map((path) => readDocumentFile(path)));
  return kb.ingest(documents);
}

/** The embedder the config names; the AWS SDK client modules load only when one is used. */
async function createEmbedder(config: KnowledgeConfig, client?: SageMakerRuntimeClient): Promise<Embedder> {
  const { embedder, sagemakerEndpoint } = config.knowledge;
  if (embedder === "hash") return new HashEmbedder();
  if (!sagemakerEndpoint) throw new ConfigError("SAGEMAKER_ENDPOINT: required when ALEX_EMBEDDER=sagemaker");
  const { SageMakerEmbedder } = await import("./sagemaker-embedder.js");
  return new SageMakerEmbedder({ endpointName: sagemakerEndpoint, region: config.awsRegion, client });
}

async function createStore(
  config: KnowledgeConfig,
  embedder: Embedder,
  client?: S3VectorsClient,
): Promise<VectorStore> {
  const { store, localDir, vectorBucket, vectorIndex } = config.knowledge;
  if (store === "local") return LocalVectorStore.open({ dir: localDir, space: embedder });
  if (!vectorBucket) throw new ConfigError("VECTOR_BUCKET: required when ALEX_VECTOR_STORE=s3vectors");
  const { S3VectorsStore } = await import("./s3vectors-store.js");
  return new S3VectorsStore({
    bucket: vectorBucket,
    index: vectorIndex,
    region: config.awsRegion,
    space: embedder,
    client,
  });
}

/** Sections of a note written for the report's author, not about the market: never an insight, never quoted. */
const WRITER_NOTES = /^points for the report$/i;

function toPassageRecords(document: KnowledgeDocument) {
  const { source, title, date } = document;
  const passages = chunkMarkdown(document.text).filter((p) => !WRITER_NOTES.test(p.heading?.trim() ?? ""));
  return passages.map((passage, index) => ({
    key: passageKey(source, index),
    embeddingText: [title, passage.heading !== title ? passage.heading : undefined, passage.text]
      .filter(Boolean)
      .join("\n"),
    metadata: { source, title, text: passage.text, ...(date ? { date } : {}) } satisfies VectorRecord["metadata"],
  }));
}

/** Deterministic: re-ingesting a source replaces its passages instead of duplicating them. */
export function passageKey(source: string, index: number): string {
  return createHash("sha256").update(`${source}\u0000${index}`).digest("hex").slice(0, 32);
}

const FUND_BOILERPLATE = /\b(?:vanguard|ishares|spdr|invesco|schwab|fidelity|etf|trust|fund|shares|core|index)\b/gi;

/** What a fund name says about its holdings: "Vanguard Total Bond Market ETF" → "Total Bond Market". */
export function fundSubject(name: string): string {
  return name.replace(FUND_BOILERPLATE, " ").replace(/\s+/g, " ").trim();
}

function uniqueSymbols(symbols: string[]): string[] {
  return [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter(Boolean))];
}

/** Stable: hits whose title or text names `symbol` as a word come first, each group by distance. */
function namingFirst(hits: VectorHit[], symbol: string): VectorHit[] {
  const ticker = new RegExp(`(?<![\\w.])${escapeRegExp(symbol)}(?!\\w)`);
  const names = (h: VectorHit) => ticker.test(h.metadata.title) || ticker.test(h.metadata.text);
  return [...hits.filter(names), ...hits.filter((h) => !names(h))];
}

/** The best passage of each source note, for a general question. */
function onePerSource(hits: VectorHit[]): VectorHit[] {
  const sources = new Set<string>();
  return hits.filter((h) => !sources.has(h.metadata.source) && Boolean(sources.add(h.metadata.source)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Round-robin over the per-symbol hit lists, an equal quota each, each source note at most once. */
function pickInsights(hitLists: VectorHit[][], limit: number): VectorHit[] {
  const quota = Math.max(1, Math.floor(limit / Math.max(1, hitLists.length)));
  const chosen = new Map<string, VectorHit>();
  for (let round = 0; round < quota; round++) {
    for (const hits of hitLists) {
      const next = hits.find((h) => !chosen.has(h.metadata.source));
      if (next && chosen.size < limit) chosen.set(next.metadata.source, next);
    }
  }
  return [...chosen.values()];
}

function formatInsight({ metadata }: VectorHit): string {
  const when = metadata.date ? ` (${metadata.date})` : "";
  return `- ${metadata.title}${when}: ${excerpt(metadata.text, EXCERPT_CHARS)}`;
}

/**
 * Plain text up to `limit` characters that ends on a sentence: the whole sentences that fit, else the first sentence
 * when it is at most twice the limit; only text without a usable sentence end is cut at a word boundary, with "…".
 */
export function excerpt(text: string, limit: number): string {
  const plain = text
    .replace(/[*_`]+/g, "")
    .replace(/\s+/g, " ")
    .trim();
  if (plain.length <= limit) return plain;
  const sentences = plain.match(/[^.!?]+[.!?]+(?=\s|$)/g) ?? [];
  let whole = "";
  for (const sentence of sentences) {
    if ((whole + sentence).trim().length > limit) break;
    whole += sentence;
  }
  if (whole.trim()) return whole.trim();
  if (sentences[0] && sentences[0].trim().length <= 2 * limit) return sentences[0].trim();
  const boundary = plain.lastIndexOf(" ", limit - 1);
  const end = boundary > limit / 2 ? boundary : limit - 1;
  return `${plain.slice(0, end).trimEnd()}…`;
}

function seedSymbolNames(): ReadonlyMap<string, string> {
  return new Map(SEED_INSTRUMENTS.map((i) => [i.symbol, i.name]));
}
