import { type Db, P } from "../driver.js";

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

/** Spans per statement: one JSON parameter each, well under the Data API's request size. */
const BATCH = 200;

/** Inserts spans, a batch per statement (one JSON parameter expanded by `jsonb_to_recordset`); a span already stored is kept. */
export async function insertTraceSpans(db: Db, spans: TraceSpan[]): Promise<void> {
  for (let i = 0; i < spans.length; i += BATCH) {
    await db.query(
      `INSERT INTO job_traces (job_id, span_id, parent_id, trace_id, execution_id, state, kind, name, started_at,
                               duration_ms, model, input_tokens, output_tokens, error, detail)
       SELECT job_id, span_id, parent_id, trace_id, execution_id, state, kind, name, started_at,
              duration_ms, model, input_tokens, output_tokens, error, COALESCE(detail, '{}'::jsonb)
       FROM jsonb_to_recordset(:spans::jsonb) AS s(
         job_id UUID, span_id TEXT, parent_id TEXT, trace_id TEXT, execution_id TEXT, state TEXT, kind TEXT, name TEXT,
         started_at TIMESTAMPTZ, duration_ms INTEGER, model TEXT, input_tokens INTEGER, output_tokens INTEGER,
         error TEXT, detail JSONB)
       ON CONFLICT (job_id, span_id) DO NOTHING`,
      { spans: P.json(spans.slice(i, i + BATCH)) },
    );
  }
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
