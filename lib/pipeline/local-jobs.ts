import { identityIsRunning, thisProcessIdentity } from "../db/directory-lock.js";
import type { Db } from "../db/driver.js";
import { pauseAtFaultPoint } from "../db/fault-point.js";
import {
  createOwnedJob,
  failJob,
  failJobsOwnedBy,
  failOwnerlessPendingJobs,
  type JobOwner,
  listUnfinishedOwnedJobs,
  setJobOwner,
} from "../db/repositories/jobs.js";

/** This process as a job owner: pid, host, boot id and start time. */
export const thisProcess = (): JobOwner => thisProcessIdentity();

/** A pending job nobody owns is failed at the next open once it is this old (seconds). */
const OWNERLESS_GRACE_SECONDS = 60;

type NewJob = Parameters<typeof createOwnedJob>[1];

/** Creates a local job owned by this process from its first moment (one statement). */
export async function createLocalJob(db: Db, job: NewJob): Promise<string> {
  const id = await createOwnedJob(db, job, thisProcess());
  if (!id) throw new Error("The job was not created");
  return id;
}

/** Claims a local job for this process: if the process dies, the next opener of the database fails it. */
export function ownJob(db: Db, jobId: string, owner: JobOwner = thisProcess()): Promise<void> {
  return setJobOwner(db, jobId, owner);
}

/** Whether the owner still runs: same boot of this machine, pid alive, started when it did. */
const ownerIsRunning = (owner: JobOwner): boolean => identityIsRunning(owner);

const interruptedReason = (owner: JobOwner) =>
  `interrupted: the process that ran this job (pid ${owner.pid} on ${owner.host}, started ${owner.started_at}) ended before the job did`;

const ownerlessReason = (graceSeconds: number) =>
  `abandoned: created without an owning process and still pending ${graceSeconds} s later`;

/**
 * Fails, as "interrupted", the pending or running jobs whose owning process is gone (killed, crashed,
 * machine restarted, pid reused, host renamed), and as "abandoned" pending jobs nobody owns older than
 * the grace period. Run when the local database is opened; returns the jobs failed.
 */
export async function failInterruptedJobs(
  db: Db,
  isRunning: (owner: JobOwner) => boolean = ownerIsRunning,
  graceSeconds = OWNERLESS_GRACE_SECONDS,
): Promise<{ id: string; reason: string }[]> {
  const failed = [];
  for (const job of await listUnfinishedOwnedJobs(db)) {
    if (isRunning(job)) continue;
    const reason = interruptedReason(job);
    if (await failJob(db, job.id, reason)) failed.push({ id: job.id, reason });
  }
  const reason = ownerlessReason(graceSeconds);
  for (const id of await failOwnerlessPendingJobs(db, graceSeconds, reason)) failed.push({ id, reason });
  return failed;
}

/** Fails a job that a signal stopped before it ended (Ctrl-C, `kill`). */
export function failCancelledJob(db: Db, jobId: string, signal: NodeJS.Signals): Promise<boolean> {
  return failJob(db, jobId, `cancelled: the run received ${signal} before the job ended`);
}

/** Fails every job this process still holds (running or queued) as cancelled by `signal`. */
export function failCancelledJobsOfThisProcess(db: Db, signal: NodeJS.Signals): Promise<string[]> {
  return failJobsOwnedBy(db, thisProcess(), `cancelled: the console received ${signal} before the job ended`);
}

export { pauseAtFaultPoint };
