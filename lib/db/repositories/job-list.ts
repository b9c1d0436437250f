import type { JobStatus } from "../../portfolio/types.js";
import type { Db } from "../driver.js";

/** A job as the job lists show it: who, when, how much, the outlook and how it ended. */
export interface JobSummaryRow {
  id: string;
  clerk_user_id: string;
  display_name: string | null;
  status: JobStatus;
  error_message: string | null;
  created_at: string;
  /** `summary_payload.portfolio.total_value`, as text (null before Finalize). */
  total_value: string | null;
  /** `retirement_payload.outlook.success_rate` (falling back to `monte_carlo.success_rate`), as text. */
  success_rate: string | null;
}

/** The newest jobs (of one user, if given) with the person's name, the value and the outlook: one statement. */
export async function listJobSummaries(
  db: Db,
  options: { clerkUserId?: string; limit?: number } = {},
): Promise<JobSummaryRow[]> {
  const { rows } = await db.query<JobSummaryRow & Record<string, unknown>>(
    `SELECT j.id, j.clerk_user_id, u.display_name, j.status, j.error_message, j.created_at,
            j.summary_payload #>> '{portfolio,total_value}' AS total_value,
            COALESCE(j.retirement_payload #>> '{outlook,success_rate}',
                     j.retirement_payload #>> '{monte_carlo,success_rate}') AS success_rate
     FROM jobs j LEFT JOIN users u ON u.clerk_user_id = j.clerk_user_id
     WHERE (:user_id::text IS NULL OR j.clerk_user_id = :user_id)
     ORDER BY j.created_at DESC LIMIT :limit`,
    { user_id: options.clerkUserId ?? null, limit: options.limit ?? 20 },
  );
  return rows;
}

/** Lowercase hex digits and dashes: the start of a job id (nothing else ever reaches the LIKE pattern). */
export const JOB_ID_PREFIX = /^[0-9a-f-]{1,36}$/;

/** Ids of the jobs whose id starts with `prefix` (newest first, at most `limit`). */
export async function findJobIdsByPrefix(db: Db, prefix: string, limit = 10): Promise<string[]> {
  const start = prefix.toLowerCase();
  if (!JOB_ID_PREFIX.test(start)) return [];
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM jobs WHERE id::text LIKE :pattern ORDER BY created_at DESC LIMIT :limit",
    { pattern: `${start}%`, limit },
  );
  return rows.map((row) => row.id);
}

/** The person's display name, or null when the user has none. */
export async function displayName(db: Db, clerkUserId: string): Promise<string | null> {
  const { rows } = await db.query<{ display_name: string | null }>(
    "SELECT display_name FROM users WHERE clerk_user_id = :id",
    { id: clerkUserId },
  );
  return rows[0]?.display_name ?? null;
}
