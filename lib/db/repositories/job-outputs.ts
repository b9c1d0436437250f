import { type Db, P } from "../driver.js";
import { readJsonDocuments } from "./documents.js";
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
 * One statement (more only past ~0.8 MB): the snapshot's aggregate, the report's text and review, the charts, the
 * outlook and its text (not the projections or the Monte Carlo detail), the tagger's failures, and the job's
 * generation spans counted per model — each a document read in parts (`readJsonDocuments`), so no returned row passes
 * the Data API's 64 KB however long the report or the list of unpriced holdings it names.
 */
export async function readJobOutputs(db: Db, jobId: string): Promise<JobOutputs | undefined> {
  const documents = await readJsonDocuments(
    db,
    ["found", "portfolio_aggregate", "report", "charts", "tagging", "retirement", "usage"],
    `SELECT d.name, d.doc FROM jobs j, LATERAL (VALUES
       ('found', 'true'),
       ('portfolio_aggregate', j.portfolio_aggregate::text),
       ('report', jsonb_build_object('content', j.report_payload->'content', 'review', j.report_payload->'review')::text),
       ('charts', j.charts_payload::text),
       ('tagging', CASE WHEN jsonb_typeof(j.summary_payload->'tagging') = 'object'
         THEN jsonb_build_object(
           'failed', COALESCE((SELECT jsonb_agg(jsonb_build_object('symbol', f.value->'symbol') ORDER BY f.n)
             FROM jsonb_array_elements(j.summary_payload->'tagging'->'failed') WITH ORDINALITY AS f(value, n)
             WHERE f.n <= :failed_symbols), '[]'::jsonb),
           'failed_count', COALESCE(jsonb_array_length(j.summary_payload->'tagging'->'failed'), 0))::text
       END),
       ('retirement',
         jsonb_build_object('outlook', j.retirement_payload->'outlook', 'analysis', j.retirement_payload->'analysis')::text),
       ('usage', COALESCE((SELECT jsonb_agg(u) FROM (
         SELECT model, count(*)::int AS requests, count(error)::int AS failed,
                COALESCE(sum(input_tokens), 0)::int AS input_tokens,
                COALESCE(sum(output_tokens), 0)::int AS output_tokens
         FROM job_traces WHERE job_id = j.id AND kind = 'generation' GROUP BY model ORDER BY model) u),
         '[]'::jsonb)::text)
     ) AS d(name, doc) WHERE j.id = :id::uuid`,
    { id: P.uuid(jobId), failed_symbols: GATE_FAILED_SYMBOLS },
  );
  if (!documents.found) return undefined;
  const present = (part: unknown) =>
    part && Object.values(part as Record<string, unknown>).some((v) => v !== null && v !== undefined)
      ? (part as Record<string, unknown>)
      : null;
  return {
    portfolio_aggregate: documents.portfolio_aggregate,
    report: present(documents.report),
    charts: documents.charts as JobOutputs["charts"],
    tagging: documents.tagging as JobOutputs["tagging"],
    retirement: present(documents.retirement),
    usage: (documents.usage ?? []) as TracedModelUsage[],
  };
}
