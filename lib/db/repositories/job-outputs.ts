import { type Db, P } from "../driver.js";
import type { TracedModelUsage } from "./traces.js";

/** What Finalize's quality gate reads of a job: its outputs without their bulky parts, and its model calls. */
export interface JobOutputs {
  /**
   * The specialists' bounded aggregate of the snapshot (never the whole snapshot: a Data API row stays under 64 KB),
   * as stored: the caller validates it (`PortfolioAggregateSchema`; the database layer does not import the core).
   */
  portfolio_aggregate: unknown;
  report: { content?: unknown; review?: unknown } | null;
  charts: Record<string, unknown> | null;
  /**
   * The tagger's failures as it recorded them in the summary (null: no tagging ran): how many, and the first
   * {@link GATE_FAILED_SYMBOLS} symbols (a 5,000-holding job whose model failed must not read a 0.5 MB row).
   */
  tagging: { failed: { symbol: string }[]; failed_count: number } | null;
  retirement: { outlook?: unknown; analysis?: unknown } | null;
  /** The job's model calls (generation spans in job_traces), per model. */
  usage: TracedModelUsage[];
}

/** The most failed symbols the gate reads; the rest are counted (the Data API returns at most 64 KB per row). */
export const GATE_FAILED_SYMBOLS = 100;

/**
 * One statement: the snapshot's aggregate, the report's text and review, the charts, the outlook and its text (not the
 * projections or the Monte Carlo detail), and the job's generation spans counted per model.
 */
export async function readJobOutputs(db: Db, jobId: string): Promise<JobOutputs | undefined> {
  const { rows } = await db.query<JobOutputs & Record<string, unknown>>(
    `SELECT j.portfolio_aggregate,
            jsonb_build_object('content', j.report_payload->'content', 'review', j.report_payload->'review') AS report,
            j.charts_payload AS charts,
            CASE WHEN jsonb_typeof(j.summary_payload->'tagging') = 'object'
              THEN jsonb_build_object(
                'failed', COALESCE((SELECT jsonb_agg(jsonb_build_object('symbol', f.value->'symbol') ORDER BY f.n)
                  FROM jsonb_array_elements(j.summary_payload->'tagging'->'failed') WITH ORDINALITY AS f(value, n)
                  WHERE f.n <= :failed_symbols), '[]'::jsonb),
                'failed_count', COALESCE(jsonb_array_length(j.summary_payload->'tagging'->'failed'), 0))
            END AS tagging,
            jsonb_build_object('outlook', j.retirement_payload->'outlook', 'analysis', j.retirement_payload->'analysis')
              AS retirement,
            COALESCE((SELECT jsonb_agg(u) FROM (
              SELECT model, count(*)::int AS requests, count(error)::int AS failed,
                     COALESCE(sum(input_tokens), 0)::int AS input_tokens,
                     COALESCE(sum(output_tokens), 0)::int AS output_tokens
              FROM job_traces WHERE job_id = j.id AND kind = 'generation' GROUP BY model ORDER BY model) u),
              '[]'::jsonb) AS usage
     FROM jobs j WHERE j.id = :id::uuid`,
    { id: P.uuid(jobId), failed_symbols: GATE_FAILED_SYMBOLS },
  );
  const row = rows[0];
  if (!row) return undefined;
  const present = (part: Record<string, unknown> | null) =>
    part && Object.values(part).some((v) => v !== null && v !== undefined) ? part : null;
  return { ...row, report: present(row.report), retirement: present(row.retirement) };
}
