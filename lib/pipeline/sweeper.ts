import type { Db } from "../db/driver.js";

/**
 * Fails every job still pending or running longer than `afterSeconds` since it started (or, never
 * started, since it was created). Run on a schedule with `afterSeconds` beyond the state machine's
 * TimeoutSeconds: no execution can still end such a job, whatever lost it (an execution-ended event
 * that never arrived, a message that vanished).
 */
export async function sweepStuckJobs(db: Db, afterSeconds: number): Promise<{ id: string; reason: string }[]> {
  const { rows } = await db.query<{ id: string; reason: string }>(
    `UPDATE jobs SET status = 'failed', completed_at = NOW(),
       error_message = 'swept: still ' || status || ' more than ' || :after::int || ' s after it '
         || CASE WHEN started_at IS NULL THEN 'was created' ELSE 'started' END
         || ', beyond the state machine''s timeout; no execution can end it any more'
     WHERE status IN ('pending', 'running')
       AND COALESCE(started_at, created_at) < NOW() - make_interval(secs => :after::int)
     RETURNING id, error_message AS reason`,
    { after: Math.ceil(afterSeconds) },
  );
  return rows;
}
