import { type Db, P } from "../driver.js";

/** The state events of a job's execution, kept in its summary under `execution` (the page draws them). */
export interface StoredTraceEvent {
  type: string;
  at: number;
  state?: string;
  index?: number;
  error?: string;
}

/** Saves an execution's state events with the job, in one statement (a job's status is left alone). */
export async function saveExecutionTrace(db: Db, jobId: string, events: StoredTraceEvent[]): Promise<void> {
  const trace = events.map(({ type, at, state, index, error }) => ({ type, at: Math.round(at), state, index, error }));
  await db.query(
    "UPDATE jobs SET summary_payload = COALESCE(summary_payload, '{}'::jsonb) || jsonb_build_object('execution', :trace::jsonb) WHERE id = :id",
    { id: P.uuid(jobId), trace: P.json(trace) },
  );
}
