export * from "./types.js";
export { HashEmbedder } from "./hash-embedder.js";
export { SageMakerEmbedder, EmbeddingResponseError, parseFeatureExtraction, type SageMakerEmbedderOptions } from "./sagemaker-embedder.js";
export { LocalVectorStore, VectorSpaceMismatchError, LOCAL_INDEX_FILE, type LocalVectorStoreOptions } from "./local-store.js";
export { S3VectorsStore, PUT_VECTORS_BATCH_LIMIT, QUERY_TOP_K_LIMIT, type S3VectorsStoreOptions } from "./s3vectors-store.js";
export { chunkMarkdown, type Passage, type ChunkOptions } from "./chunk.js";
export { BUNDLED_CORPUS_DIR, loadBundledCorpus, parseDocument, readDocumentFile } from "./documents.js";
export {
  KnowledgeBase,
  createKnowledgeBase,
  createEmbedder,
  ingestFiles,
  passageKey,
  type IngestResult,
  type KnowledgeBaseOptions,
  type KnowledgeClients,
  type KnowledgeConfig,
} from "./knowledge-base.js";
