import { type Db, P, type SqlParams } from "../driver.js";

/** What a span of an agent run did, beyond its place in the tree (all text already truncated). */
export interface SpanDetail {
  /** Tool call: arguments and result. Model call: finish reason. Agent: tools offered, output type. */
  [field: string]: string | number | boolean | string[] | null | undefined;
}

/** One stored span of an agent run (a row of `job_traces`). */
export interface TraceSpan {
  job_id: string;
  span_id: string;
  parent_id: string | null;
  trace_id: string;
  execution_id: string | null;
  /** The state machine state whose task ran the agent, e.g. "Plan analysis". */
  state: string;
  /** The SDK span type: task, agent, turn, generation, function, guardrail, handoff, custom. */
  kind: string;
  name: string;
  started_at: string;
  duration_ms: number;
  model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  error: string | null;
  detail: SpanDetail;
}

/**
 * Request bytes of spans per statement: the Data API takes requests up to 4 MiB, and a JSON parameter
 * travels as an escaped string inside the request's own JSON, so 3 MB measured that way stays under it.
 */
export const BATCH_BYTES = 3_000_000;

/** Bytes `value` adds to a Data API request as a JSON parameter: UTF-8, escaped inside the request's JSON. */
export const requestBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(JSON.stringify(value)));

/** Splits spans into batches of at most `maxBytes` request bytes each (a larger span goes alone). */
export function spanBatches(spans: TraceSpan[], maxBytes = BATCH_BYTES): TraceSpan[][] {
  const batches: TraceSpan[][] = [];
  let current: TraceSpan[] = [];
  let size = 0;
  for (const span of spans) {
    const length = requestBytes(span) + 1;
    if (current.length > 0 && size + length > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(span);
    size += length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

const INSERT_SPANS = `INSERT INTO job_traces (job_id, span_id, parent_id, trace_id, execution_id, state, kind, name,
                               started_at, duration_ms, model, input_tokens, output_tokens, error, detail)
       SELECT job_id, span_id, parent_id, trace_id, execution_id, state, kind, name, started_at,
              duration_ms, model, input_tokens, output_tokens, error, COALESCE(detail, '{}'::jsonb)
       FROM jsonb_to_recordset(:spans::jsonb) AS s(
         job_id UUID, span_id TEXT, parent_id TEXT, trace_id TEXT, execution_id TEXT, state TEXT, kind TEXT, name TEXT,
         started_at TIMESTAMPTZ, duration_ms INTEGER, model TEXT, input_tokens INTEGER, output_tokens INTEGER,
         error TEXT, detail JSONB)
       ON CONFLICT (job_id, span_id) DO NOTHING`;

/**
 * Inserts spans in one statement per 3 MB of them (one JSON parameter expanded by `jsonb_to_recordset`:
 * a task's trace is one statement whatever its span count); a span already stored is kept.
 */
export async function insertTraceSpans(db: Db, spans: TraceSpan[]): Promise<void> {
  for (const batch of spanBatches(spans)) await db.query(INSERT_SPANS, { spans: P.json(batch) });
}

/**
 * The `WITH` clause (a `stored_spans` CTE, then `extraCtes` if any) and the `:spans` parameter that store
 * spans in the same statement as a task's own write: a data-modifying CTE runs whether or not the main
 * statement reads it, and both land or neither does. No spans: just `extraCtes`.
 */
export function withSpans(spans: TraceSpan[], extraCtes = ""): { sql: string; params: SqlParams } {
  if (spans.length === 0) return { sql: extraCtes ? `WITH ${extraCtes}` : "", params: {} };
  const ctes = `stored_spans AS (${INSERT_SPANS} RETURNING 1)${extraCtes ? `, ${extraCtes}` : ""}`;
  return { sql: `WITH ${ctes}`, params: { spans: P.json(spans) } };
}

/** A job's spans in the order they started. */
export async function listTraceSpans(db: Db, jobId: string): Promise<TraceSpan[]> {
  const { rows } = await db.query<TraceSpan & Record<string, unknown>>(
    `SELECT job_id, span_id, parent_id, trace_id, execution_id, state, kind, name, started_at, duration_ms,
            model, input_tokens, output_tokens, error, detail
     FROM job_traces WHERE job_id = :job_id::uuid ORDER BY started_at, span_id`,
    { job_id: P.uuid(jobId) },
  );
  return rows;
}

/** Model requests a job's spans record, per model: every call, failed attempts and earlier task attempts included (read by `readJobOutputs`). */
export interface TracedModelUsage {
  model: string | null;
  requests: number;
  failed: number;
  input_tokens: number;
  output_tokens: number;
}
