import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import pRetry from "p-retry";
import { EMBEDDING_DIMENSIONS, type Embedder } from "./types.js";
import { l2Normalize, meanPool } from "./vectors.js";

export interface SageMakerEmbedderOptions {
  endpointName: string;
  /** Always DEFAULT_AWS_REGION from config, never AWS_REGION. */
  region: string;
  client?: SageMakerRuntimeClient;
  /** Retries of a throttled call (beyond the SDK's own three attempts). */
  throttleRetry?: ThrottleRetry;
}

export interface ThrottleRetry {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
}

/**
 * A serverless endpoint refuses calls beyond its MaxConcurrency (or the account's total serverless
 * concurrency) with a ThrottlingException, HTTP 429 or 503: waited out with jittered backoff, up to
 * about 20 s in all — the reporter has minutes, and a report without market context is the fallback.
 */
export const EMBEDDING_THROTTLE_RETRY: ThrottleRetry = { retries: 6, minTimeoutMs: 250, maxTimeoutMs: 8000 };

/** Throttling or a momentarily unavailable endpoint: worth waiting for. */
function isThrottling(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    error.name === "ThrottlingException" || error.name === "ServiceUnavailable" || status === 429 || status === 503
  );
}

export class EmbeddingResponseError extends Error {
  override name = "EmbeddingResponseError";
}

/**
 * all-MiniLM-L6-v2 behind a SageMaker endpoint running the Hugging Face inference container with
 * `HF_TASK=feature-extraction`: one `InvokeEndpoint` per text, body `{"inputs": text}`.
 *
 * The container returns token vectors (`[[[384]...]]`) or an already pooled vector (`[[384]]` or
 * `[384]`). Token vectors are mean-pooled and every result is L2-normalised: that is the pooling the
 * model was trained with (sentence-transformers mean pooling + normalise), so cosine distances are
 * meaningful. The original took the first token's vector instead; this project never reads vectors
 * the original wrote (stores filter on the embedder name), and ingest and query share this code.
 */
export class SageMakerEmbedder implements Embedder {
  readonly name = "minilm-l6-v2";
  readonly dimensions = EMBEDDING_DIMENSIONS;
  readonly client: SageMakerRuntimeClient;
  readonly endpointName: string;
  private readonly throttleRetry: ThrottleRetry;

  constructor(options: SageMakerEmbedderOptions) {
    this.endpointName = options.endpointName;
    this.client = options.client ?? new SageMakerRuntimeClient({ region: options.region });
    this.throttleRetry = options.throttleRetry ?? EMBEDDING_THROTTLE_RETRY;
  }

  /**
   * Sequential on purpose: one call in flight per running job, so the endpoint's MaxConcurrency, sized
   * to the jobs admission control runs at once (`embeddingMaxConcurrency`), is never exceeded by this app.
   */
  async embed(texts: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (const text of texts) vectors.push(await this.embedOne(text));
    return vectors;
  }

  private async embedOne(text: string): Promise<number[]> {
    // A fresh command per attempt: a retried send never reuses a command whose middleware already ran.
    const invoke = () =>
      this.client.send(
        new InvokeEndpointCommand({
          EndpointName: this.endpointName,
          ContentType: "application/json",
          Accept: "application/json",
          Body: JSON.stringify({ inputs: text }),
        }),
      );
    const { retries, minTimeoutMs, maxTimeoutMs } = this.throttleRetry;
    const response = await pRetry(invoke, {
      retries,
      minTimeout: minTimeoutMs,
      maxTimeout: maxTimeoutMs,
      factor: 2,
      randomize: true,
      shouldRetry: ({ error }) => isThrottling(error),
    });
    const body = new TextDecoder().decode(response.Body);
    return parseFeatureExtraction(body, `SageMaker endpoint "${this.endpointName}"`);
  }
}

/** Parses a feature-extraction response body into one unit-length sentence vector. */
export function parseFeatureExtraction(body: string, source = "feature-extraction response"): number[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new EmbeddingResponseError(`${source} returned a body that is not JSON: ${body.slice(0, 120)}`);
  }
  const rows = vectorRows(parsed, source, body);
  const vectors = rows.map((row, i) => embeddingRow(row, `${source} (vector ${i})`));
  return l2Normalize(meanPool(vectors));
}

function vectorRows(value: unknown, source: string, body: string): unknown[] {
  const depth = arrayDepth(value);
  if (depth === 1) return [value];
  if (depth === 2) return value as unknown[];
  if (depth === 3 && (value as unknown[]).length === 1) return (value as unknown[][])[0];
  throw new EmbeddingResponseError(
    `${source} returned an unexpected shape (nesting depth ${depth}); expected [[[${EMBEDDING_DIMENSIONS} floats per token]]], [[${EMBEDDING_DIMENSIONS}]] or [${EMBEDDING_DIMENSIONS}] for a single input; body starts ${body.slice(0, 120)}`,
  );
}

function arrayDepth(value: unknown): number {
  let depth = 0;
  let current = value;
  while (Array.isArray(current) && current.length > 0) {
    depth++;
    current = current[0];
  }
  return depth;
}

function embeddingRow(row: unknown, what: string): number[] {
  if (!Array.isArray(row)) throw new EmbeddingResponseError(`${what} is not an array of numbers`);
  const values: unknown[] = row;
  if (values.length !== EMBEDDING_DIMENSIONS) {
    throw new EmbeddingResponseError(
      `${what} has ${values.length} dimensions; expected ${EMBEDDING_DIMENSIONS} (all-MiniLM-L6-v2). Is the endpoint serving the right model?`,
    );
  }
  const bad = values.findIndex((x) => typeof x !== "number" || !Number.isFinite(x));
  if (bad >= 0)
    throw new EmbeddingResponseError(`${what} element ${bad} is not a finite number (${String(values[bad])})`);
  return values as number[];
}
