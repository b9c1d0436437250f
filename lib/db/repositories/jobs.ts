import * as z from "zod";
import type { JobStatus, Portfolio } from "../../portfolio/types.js";
import { SPECIALIST_ROSTER, type SpecialistPayloadColumn } from "../../roster.js";
import { type Db, P, type SqlParams } from "../driver.js";
import { readJsonDocuments } from "./documents.js";
import { untaggedSymbolsSql } from "./instruments.js";
import { type TraceSpan, withSpans } from "./traces.js";

export interface JobRow {
  id: string;
  clerk_user_id: string;
  job_type: string;
  status: JobStatus;
  request_payload: Record<string, unknown> | null;
  portfolio_snapshot: Portfolio | null;
  report_payload: Record<string, unknown> | null;
  charts_payload: Record<string, unknown> | null;
  retirement_payload: Record<string, unknown> | null;
  summary_payload: Record<string, unknown> | null;
  error_message: string | null;
  claimed_by: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

export type JobListItem = Pick<
  JobRow,
  "id" | "clerk_user_id" | "job_type" | "status" | "error_message" | "created_at" | "started_at" | "completed_at"
>;

/** A column a specialist (its row in `lib/roster.ts`) or Finalize job stores its payload in. */
export type PayloadColumn = SpecialistPayloadColumn | "summary_payload";

/** A job id: a UUID (anything else can never name a job, and is never sent as SQL). */
export const JobId = z.uuid({ message: "must be a job id (UUID)" });

/** True when the text can name a job. */
export const isJobId = (id: string) => JobId.safeParse(id).success;

export async function createJob(
  db: Db,
  job: { clerk_user_id: string; job_type?: string; request_payload?: Record<string, unknown> | null },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO jobs (clerk_user_id, job_type, request_payload)
     VALUES (:clerk_user_id, :job_type, :request_payload::jsonb) RETURNING id`,
    {
      clerk_user_id: job.clerk_user_id,
      job_type: job.job_type ?? "portfolio_analysis",
      request_payload: job.request_payload ? P.json(job.request_payload) : null,
    },
  );
  return rows[0].id;
}

/** The columns of a job row that are not documents (each a few bytes). */
const JOB_ROW_HEAD = `id, clerk_user_id, job_type, status, error_message, claimed_by, created_at, started_at, completed_at,
  updated_at, owner_pid, owner_host, owner_started_at`;

/** The JSON documents of a job row, read in parts (`readDocuments`): a completed job's can pass 1 MB. */
const JOB_DOCUMENTS = [
  "request_payload",
  "portfolio_snapshot",
  ...Object.values(SPECIALIST_ROSTER).flatMap((row): SpecialistPayloadColumn[] =>
    row.payloadColumn ? [row.payloadColumn] : [],
  ),
  "summary_payload",
] as const;

/** Documents of the job `:id` as `(name, doc)` rows; `head` is the {@link JobHead} part as one JSON object. */
const jobDocumentsSql = (names: readonly string[]) =>
  `SELECT d.name, d.doc FROM jobs j CROSS JOIN LATERAL (VALUES ${names
    .map((name) =>
      name === "head"
        ? "('head', jsonb_build_object('id', j.id, 'clerk_user_id', j.clerk_user_id, 'job_type', j.job_type, 'status', j.status, 'request_payload', j.request_payload)::text)"
        : name === "tagging_failures"
          ? `('tagging_failures', ${TAGGING_FAILURES_DOC})`
          : `('${name}', j.${name}::text)`,
    )
    .join(", ")}) AS d(name, doc) WHERE j.id = :id::uuid`;

/**
 * The whole job row: its head in one statement, its documents in parts (one more statement per ~0.8 MB), so
 * no returned row passes the Data API's 64 KB.
 */
export async function getJob(db: Db, id: string): Promise<JobRow | undefined> {
  if (!isJobId(id)) return undefined;
  const { rows } = await db.query<Omit<JobRow, (typeof JOB_DOCUMENTS)[number]> & Record<string, unknown>>(
    `SELECT ${JOB_ROW_HEAD} FROM jobs WHERE id = :id::uuid`,
    { id: P.uuid(id) },
  );
  if (!rows[0]) return undefined;
  const documents = await readJsonDocuments(db, JOB_DOCUMENTS, jobDocumentsSql(JOB_DOCUMENTS), { id: P.uuid(id) });
  return { ...rows[0], ...documents } as JobRow;
}

/** What a task needs of its job row: no payloads (a completed 1,000-position row is ~0.5 MB). */
export type JobHead = Pick<JobRow, "id" | "clerk_user_id" | "job_type" | "status" | "request_payload">;

const JOB_HEAD_COLUMNS = "id, clerk_user_id, job_type, status, request_payload";

/** The job's head: one statement, only the columns named. */
export async function getJobHead(db: Db, id: string): Promise<JobHead | undefined> {
  if (!isJobId(id)) return undefined;
  const { rows } = await db.query<JobHead & Record<string, unknown>>(
    `SELECT ${JOB_HEAD_COLUMNS} FROM jobs WHERE id = :id::uuid`,
    { id: P.uuid(id) },
  );
  return rows[0];
}

/**
 * The job's head and the compact aggregate of its portfolio that `Plan analysis` stored for the specialists
 * (`lib/portfolio/aggregate.ts`): one statement, in parts should the aggregate ever pass 64 KB.
 */
export async function getJobAggregate(
  db: Db,
  id: string,
  options: { taggingFailures?: boolean } = {},
): Promise<{ job: JobHead; portfolio_aggregate: unknown; tagging_failures?: TaggingFailures | null } | undefined> {
  if (!isJobId(id)) return undefined;
  const names = ["head", "portfolio_aggregate", ...(options.taggingFailures ? ["tagging_failures"] : [])];
  const documents = await readJsonDocuments(db, names, jobDocumentsSql(names), { id: P.uuid(id) });
  if (!documents.head) return undefined;
  return {
    job: documents.head as JobHead,
    portfolio_aggregate: documents.portfolio_aggregate,
    ...(options.taggingFailures ? { tagging_failures: (documents.tagging_failures ?? null) as TaggingFailures } : {}),
  };
}

/** The holdings the tagger could not classify: how many, and the first {@link NAMED_TAGGING_FAILURES} symbols. */
export interface TaggingFailures {
  count: number;
  symbols: string[];
}

/** The most failed symbols a specialist reads by name (the rest are counted). */
export const NAMED_TAGGING_FAILURES = 10;

const TAGGING_FAILURES_DOC = `CASE WHEN jsonb_typeof(j.summary_payload->'tagging'->'failed') = 'array' THEN jsonb_build_object(
     'count', jsonb_array_length(j.summary_payload->'tagging'->'failed'),
     'symbols', COALESCE((SELECT jsonb_agg(f.value->'symbol' ORDER BY f.n)
       FROM jsonb_array_elements(j.summary_payload->'tagging'->'failed') WITH ORDINALITY AS f(value, n)
       WHERE f.n <= ${NAMED_TAGGING_FAILURES}), '[]'::jsonb))::text END`;

/** Newest first, without the large payload columns. */
export async function listJobs(db: Db, options: { clerkUserId?: string; limit?: number } = {}): Promise<JobListItem[]> {
  const { rows } = await db.query<JobListItem & Record<string, unknown>>(
    `SELECT id, clerk_user_id, job_type, status, error_message, created_at, started_at, completed_at
     FROM jobs WHERE (:user_id::text IS NULL OR clerk_user_id = :user_id)
     ORDER BY created_at DESC LIMIT :limit`,
    { user_id: options.clerkUserId ?? null, limit: options.limit ?? 20 },
  );
  return rows;
}

const CLAIM_JOB = `UPDATE jobs SET status = 'running', started_at = COALESCE(started_at, NOW()), claimed_by = :claimant
  WHERE id = :id::uuid AND (status = 'pending' OR (status = 'running' AND claimed_by = :claimant))`;

/** What claiming a job for an execution found: the job as it was, and how many holdings are left to tag. */
export interface JobClaim {
  clerk_user_id: string;
  /** The status before the claim. */
  status: JobStatus;
  claimed: boolean;
  /** How many of the owner's held symbols lack allocations (only when claimed; 0 otherwise). The tagger reads them itself. */
  untagged: number;
  /** When market prices were last fetched and the newest day they cover (`latestMarketPrices`; null: never). */
  market_prices: { fetched_at: string | null; as_of: string | null };
}

/**
 * Claims the job for the execution `claimant`: `pending → running`, only if still pending — or already running
 * for that same execution (Step Functions retried its Prepare job after the claim landed); `claimed` says whether
 * `claimant` owns the job now. In the same statement, reads the job, counts its owner's untagged symbols and
 * reads when market prices were last fetched (what Refresh prices decides on). Undefined when no such job exists.
 */
export async function claimJobListingUntagged(db: Db, id: string, claimant: string): Promise<JobClaim | undefined> {
  if (!isJobId(id)) return undefined;
  type ClaimRow = Omit<JobClaim, "market_prices"> & JobClaim["market_prices"] & Record<string, unknown>;
  const { rows } = await db.query<ClaimRow>(
    `WITH job AS (SELECT clerk_user_id, status FROM jobs WHERE id = :id::uuid),
     claim AS (${CLAIM_JOB} RETURNING clerk_user_id)
     SELECT job.clerk_user_id, job.status, EXISTS (SELECT 1 FROM claim) AS claimed,
            CASE WHEN EXISTS (SELECT 1 FROM claim)
                 THEN (SELECT COUNT(*) FROM (${untaggedSymbolsSql("job.clerk_user_id")}) AS untagged)::int
                 ELSE 0 END AS untagged,
            market.fetched_at, market.as_of
     FROM job, (SELECT MAX(fetched_at) AS fetched_at, MAX(as_of) AS as_of FROM prices WHERE source = 'market') market`,
    { id: P.uuid(id), claimant },
  );
  if (!rows[0]) return undefined;
  const { fetched_at, as_of, ...claim } = rows[0];
  return { ...claim, market_prices: { fetched_at, as_of } };
}

/**
 * Stores the portfolio this job analyses, then — with the task's `spans` — the compact aggregate of it every
 * specialist reads and what the summary says of it (added to what the tagger recorded there; `finishJob` adds
 * the rest): two statements, so neither request passes the Data API's 4 MiB at the largest portfolio.
 */
export async function saveSnapshot(
  db: Db,
  id: string,
  snapshot: { portfolio: Portfolio; aggregate: unknown },
  summary: Record<string, unknown> | null = null,
  spans: TraceSpan[] = [],
): Promise<void> {
  await updateRunningJob(db, id, "portfolio_snapshot = :value::jsonb", { value: P.json(snapshot.portfolio) });
  await updateRunningJob(
    db,
    id,
    `portfolio_aggregate = :aggregate::jsonb,
     summary_payload = COALESCE(summary_payload, '{}'::jsonb) || COALESCE(:summary::jsonb, '{}'::jsonb)`,
    { aggregate: P.json(snapshot.aggregate), summary: summary && P.json(summary) },
    spans,
  );
}

/** Stores a specialist's payload (and the task's `spans`, in the same statement). */
export async function savePayload(
  db: Db,
  id: string,
  column: PayloadColumn,
  payload: unknown,
  spans: TraceSpan[] = [],
): Promise<void> {
  await updateRunningJob(db, id, `${column} = :value::jsonb`, { value: P.json(payload) }, spans);
}

/** Sets `charts_payload` to one attempt's charts, all at once (a failed attempt publishes nothing). */
export async function publishCharts(
  db: Db,
  id: string,
  charts: Record<string, unknown>,
  spans: TraceSpan[] = [],
): Promise<void> {
  await updateRunningJob(db, id, "charts_payload = :value::jsonb", { value: P.json(charts) }, spans);
}

/**
 * Adds `summary` to what the job's summary already holds (`saveSnapshot`'s part; the two `prices` objects
 * are merged) and ends a running job in one statement: `completed`, or `failed` / `needs_review` with
 * `reason` (those only while `claimant`, when given, owns it). Returns whether the job ended here.
 * `summary_payload.actions` is the summary's own, else the action plan the retirement specialist or the reporter
 * stored with its payload (the same pure plan, lib/advice), else empty.
 */
export async function finishJob(
  db: Db,
  id: string,
  summary: unknown,
  outcome: { reason?: string; claimant?: string; needsReview?: boolean } = {},
): Promise<boolean> {
  const status = outcome.reason === undefined ? "completed" : outcome.needsReview ? "needs_review" : "failed";
  const { rowCount } = await db.query(
    `UPDATE jobs SET completed_at = NOW(),
       summary_payload = COALESCE(summary_payload, '{}'::jsonb) || :summary::jsonb || jsonb_build_object('prices',
         COALESCE(summary_payload->'prices', '{}'::jsonb) || COALESCE(:summary::jsonb->'prices', '{}'::jsonb),
         'actions', COALESCE(:summary::jsonb->'actions', retirement_payload->'actions', report_payload->'actions',
           '[]'::jsonb)),
       status = :status::text, error_message = :reason::text
     WHERE id = :id::uuid AND status = 'running'
       AND (:status::text = 'completed' OR :claimant::text IS NULL OR claimed_by = :claimant::text)`,
    {
      id: P.uuid(id),
      summary: P.json(summary),
      status,
      reason: outcome.reason === undefined ? null : outcome.reason.slice(0, 4000) || "unknown error",
      claimant: outcome.claimant ?? null,
    },
  );
  return rowCount === 1;
}

/**
 * Ends a job as failed with a reason: a pending one, or a running one claimed by `claimant` (any running
 * one when no claimant is given). A job that ended, or that another execution owns, is left alone.
 */
export async function failJob(db: Db, id: string, reason: string, claimant?: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE jobs SET status = 'failed', completed_at = NOW(), error_message = :reason
     WHERE id = :id::uuid
       AND (status = 'pending' OR (status = 'running' AND (:claimant::text IS NULL OR claimed_by = :claimant)))`,
    { id: P.uuid(id), reason: reason.slice(0, 4000) || "unknown error", claimant: claimant ?? null },
  );
  return rowCount === 1;
}

export class JobNotRunningError extends Error {
  override name = "JobNotRunningError";
}

async function updateRunningJob(db: Db, id: string, assignment: string, params: SqlParams, spans: TraceSpan[] = []) {
  const stored = withSpans(spans);
  const { rowCount } = await db.query(
    `${stored.sql} UPDATE jobs SET ${assignment} WHERE id = :id::uuid AND status = 'running'`,
    { ...stored.params, ...params, id: P.uuid(id) },
  );
  if (rowCount !== 1) throw new JobNotRunningError(`Job ${id} is not running; nothing was written`);
}

/** The local process running a job: its pid, host, boot id and start time (so a reused pid is told apart). */
export interface JobOwner {
  pid: number;
  host: string;
  boot_id: string | null;
  started_at: string;
}

const OWNER_VALUES = ":pid::int, :host::text, :boot_id::text, :started_at::timestamptz";
const ownerParams = (owner: JobOwner) => ({
  pid: owner.pid,
  host: owner.host,
  boot_id: owner.boot_id,
  started_at: P.timestamp(owner.started_at),
});

/**
 * Creates a local job already owned by `owner`, in one statement: no moment exists in which a kill leaves
 * it pending without an owner. With `maxQueued`, refuses (undefined) when that owner already has that many
 * jobs pending, in the same statement.
 */
export async function createOwnedJob(
  db: Db,
  job: { clerk_user_id: string; job_type?: string; request_payload?: Record<string, unknown> | null },
  owner: JobOwner,
  options: { maxQueued?: number } = {},
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO jobs (clerk_user_id, job_type, request_payload, owner_pid, owner_host, owner_boot_id, owner_started_at)
     SELECT :clerk_user_id::text, :job_type::text, :request_payload::jsonb, ${OWNER_VALUES}
     WHERE :max_queued::int IS NULL OR (SELECT COUNT(*) FROM jobs WHERE status = 'pending' AND owner_pid = :pid::int
       AND owner_started_at = :started_at::timestamptz AND owner_boot_id IS NOT DISTINCT FROM :boot_id::text) < :max_queued::int
     RETURNING id`,
    {
      clerk_user_id: job.clerk_user_id,
      job_type: job.job_type ?? "portfolio_analysis",
      request_payload: job.request_payload ? P.json(job.request_payload) : null,
      max_queued: options.maxQueued ?? null,
      ...ownerParams(owner),
    },
  );
  return rows[0]?.id;
}

/** Records the local process that runs a pending or running job. */
export async function setJobOwner(db: Db, id: string, owner: JobOwner): Promise<void> {
  await db.query(
    `UPDATE jobs SET (owner_pid, owner_host, owner_boot_id, owner_started_at) = (${OWNER_VALUES})
     WHERE id = :id::uuid AND status IN ('pending', 'running')`,
    { id: P.uuid(id), ...ownerParams(owner) },
  );
}

/** Jobs still pending or running that a local process owns (whatever host name it had). */
export async function listUnfinishedOwnedJobs(db: Db): Promise<(JobOwner & { id: string })[]> {
  const { rows } = await db.query<JobOwner & { id: string } & Record<string, unknown>>(
    `SELECT id, owner_pid AS pid, owner_host AS host, owner_boot_id AS boot_id, owner_started_at AS started_at
     FROM jobs WHERE status IN ('pending', 'running') AND owner_pid IS NOT NULL ORDER BY created_at`,
  );
  return rows;
}

/** The oldest pending job `owner` queued (the console's queue), if any. */
export async function nextQueuedJob(db: Db, owner: JobOwner): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM jobs WHERE status = 'pending' AND owner_pid = :pid::int AND owner_started_at = :started_at::timestamptz
       AND owner_boot_id IS NOT DISTINCT FROM :boot_id::text ORDER BY created_at, id LIMIT 1`,
    ownerParams(owner),
  );
  return rows[0]?.id;
}

/** Fails every pending or running job `owner` holds, with `reason`; returns their ids. */
export async function failJobsOwnedBy(db: Db, owner: JobOwner, reason: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE jobs SET status = 'failed', completed_at = NOW(), error_message = :reason
     WHERE status IN ('pending', 'running') AND owner_pid = :pid::int AND owner_started_at = :started_at::timestamptz
       AND owner_boot_id IS NOT DISTINCT FROM :boot_id::text
     RETURNING id`,
    { ...ownerParams(owner), reason },
  );
  return rows.map((row) => row.id);
}

/** Fails, with `reason`, pending jobs nobody owns that were created more than `graceSeconds` ago. */
export async function failOwnerlessPendingJobs(db: Db, graceSeconds: number, reason: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE jobs SET status = 'failed', completed_at = NOW(), error_message = :reason
     WHERE status = 'pending' AND owner_pid IS NULL AND created_at < NOW() - make_interval(secs => :grace)
     RETURNING id`,
    { grace: graceSeconds, reason },
  );
  return rows.map((row) => row.id);
}
