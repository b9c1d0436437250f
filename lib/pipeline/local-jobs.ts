import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { processIsAlive } from "../db/directory-lock.js";
import type { Db } from "../db/driver.js";
import { failJob, type JobOwner, listUnfinishedJobsOwnedOn, setJobOwner } from "../db/repositories/jobs.js";

/** This process as a job owner. Its start time is whole seconds, as `/proc` can confirm it. */
export function thisProcess(): JobOwner {
  const started = Math.floor((Date.now() - process.uptime() * 1000) / 1000) * 1000;
  return { pid: process.pid, host: hostname(), started_at: new Date(started).toISOString() };
}

/** Claims a local job for this process: if the process dies, the next opener of the database fails it. */
export function ownJob(db: Db, jobId: string, owner: JobOwner = thisProcess()): Promise<void> {
  return setJobOwner(db, jobId, owner);
}

/**
 * Whether the owner still runs: its pid is alive and, where `/proc` tells a process's start time, it
 * started when the owner did (a reused pid is a different process).
 */
export function ownerIsRunning(owner: Pick<JobOwner, "pid" | "started_at">): boolean {
  if (!processIsAlive(owner.pid)) return false;
  const started = processStartMs(owner.pid);
  return started === undefined || Math.abs(started - Date.parse(owner.started_at)) < 2000;
}

/** A process's start time from `/proc` (Linux; clock ticks of 10 ms), or undefined elsewhere. */
function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const ticks = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
    const bootSeconds = Number(/^btime (\d+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(bootSeconds) ? bootSeconds * 1000 + ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

export const interruptedReason = (owner: JobOwner) =>
  `interrupted: the process that ran this job (pid ${owner.pid} on ${owner.host}, started ${owner.started_at}) ended before the job did`;

/**
 * Fails, as "interrupted", the pending or running jobs of this host whose owning process is gone
 * (killed, crashed, machine restarted). Run when the local database is opened; returns the jobs failed.
 */
export async function failInterruptedJobs(
  db: Db,
  isRunning: (owner: JobOwner) => boolean = ownerIsRunning,
): Promise<{ id: string; reason: string }[]> {
  const failed = [];
  for (const job of await listUnfinishedJobsOwnedOn(db, hostname())) {
    if (isRunning(job)) continue;
    const reason = interruptedReason(job);
    if (await failJob(db, job.id, reason)) failed.push({ id: job.id, reason });
  }
  return failed;
}

/** Fails a job that a signal stopped before it ended (Ctrl-C, `kill`). */
export function failCancelledJob(db: Db, jobId: string, signal: NodeJS.Signals): Promise<boolean> {
  return failJob(db, jobId, `cancelled: the run received ${signal} before the job ended`);
}
