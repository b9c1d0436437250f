import { createHash, randomUUID } from "node:crypto";
import { linkSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { DbError } from "./driver.js";

/**
 * A local process, told apart from a later one that reuses its pid (a container restart makes pid 1
 * again) or runs after a reboot: its pid, the machine's boot id and the process's start time. The host
 * name is for people; a renamed host with the same boot id is the same machine.
 */
export interface ProcessIdentity {
  pid: number;
  host: string;
  /** /proc/sys/kernel/random/boot_id (Linux), null where the system has none. */
  boot_id: string | null;
  /** When the process started (ISO, whole seconds, as /proc confirms it). */
  started_at: string;
}

/** This machine's boot id (a new one at every boot), or null where the system tells none. */
export function bootId(): string | null {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim() || null;
  } catch {
    return null;
  }
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

let startedAt: string | undefined;

/** This process's identity (its start time read once: every record of it carries the same). */
export function thisProcessIdentity(): ProcessIdentity {
  if (startedAt === undefined) {
    const startedMs = processStartMs(process.pid) ?? Date.now() - process.uptime() * 1000;
    startedAt = new Date(Math.floor(startedMs / 1000) * 1000).toISOString();
  }
  return { pid: process.pid, host: hostname(), boot_id: bootId(), started_at: startedAt };
}

/**
 * Whether the process still runs: on this boot of this machine (its boot id; without one recorded, its
 * host name), its pid alive and, where `/proc` tells a start time, started when it did.
 */
export function identityIsRunning(
  owner: Pick<ProcessIdentity, "pid"> & Partial<Omit<ProcessIdentity, "pid">>,
  isAlive: (pid: number) => boolean = processIsAlive,
): boolean {
  const boot = bootId();
  if (owner.boot_id && boot) {
    if (owner.boot_id !== boot) return false;
  } else if (owner.host !== undefined && owner.host !== hostname()) return false;
  if (!isAlive(owner.pid)) return false;
  const started = processStartMs(owner.pid);
  return started === undefined || !owner.started_at || Math.abs(started - Date.parse(owner.started_at)) < 2000;
}

/** What a lock file holds: the holder's identity and a token naming this one acquisition. */
interface LockContent extends Partial<ProcessIdentity> {
  pid: number;
  token: string;
}

const TAKEOVER_MARKER_TTL_MS = 60 * 60 * 1000;

/**
 * Locks `<dir>.lock` for this process; returns the release function. The lock records the holder's
 * identity (pid, boot id, start time), so a reused pid or a reboot never keeps it. Every step is atomic:
 * - a free lock is taken by hard-linking a complete temp file to the lock path (fails if it exists);
 * - a lock whose holder is dead is taken over only by the process that creates, exclusively, the
 *   takeover marker of that exact acquisition (`<dir>.lock.takeover.<token>`); the winner then renames
 *   its own lock over the stale one. Two processes that see the same stale lock cannot both get in.
 */
export function acquireDirectoryLock(dir: string, isAlive: (pid: number) => boolean = processIsAlive): () => void {
  const lockPath = `${dir}.lock`;
  const mine: LockContent = { ...thisProcessIdentity(), token: randomUUID() };
  const temp = `${lockPath}.${mine.token}.tmp`;
  writeFileSync(temp, JSON.stringify(mine));
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (tryLink(temp, lockPath)) return releaser(lockPath, mine.token);
      const holder = readLock(lockPath);
      if (!holder) continue; // released meanwhile: try again
      if (identityIsRunning(holder, isAlive)) throw inUse(dir, holder.pid);
      if (!claimTakeover(`${lockPath}.takeover.${fileSafe(holder.token)}`, isAlive))
        throw inUse(dir, holder.pid, " (gone; another process is taking its lock over)");
      renameSync(temp, lockPath);
      removeOldMarkers(lockPath);
      return releaser(lockPath, mine.token);
    }
    throw new DbError(`Could not lock ${dir}`);
  } finally {
    rmSync(temp, { force: true });
  }
}

const fileSafe = (token: string) => createHash("sha256").update(token).digest("hex").slice(0, 32);

function tryLink(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

/**
 * Creates the takeover marker exclusively. A marker left by a process that died mid-takeover is itself
 * taken over the same way (a marker named after the dead one and its pid).
 */
function claimTakeover(marker: string, isAlive: (pid: number) => boolean): boolean {
  if (tryCreate(marker)) return true;
  const pid = Number(readFileSync(marker, "utf8"));
  return isAlive(pid) ? false : claimTakeover(`${marker}-${pid}`, isAlive);
}

/** Creates `path` holding our pid, complete or not at all (a temp file hard-linked into place). */
function tryCreate(path: string): boolean {
  const temp = `${path}.${randomUUID()}.tmp`;
  writeFileSync(temp, String(process.pid));
  try {
    return tryLink(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
}

/** The lock's holder; a lock from before tokens (a bare pid) gets its pid as token. */
function readLock(lockPath: string): LockContent | undefined {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockContent>;
    if (typeof parsed === "number") return { pid: parsed, token: `pid-${parsed}` };
    return { ...parsed, pid: Number(parsed.pid), token: String(parsed.token) };
  } catch {
    return { pid: Number.NaN, token: `unreadable-${statSync(lockPath).mtimeMs}` };
  }
}

function releaser(lockPath: string, token: string): () => void {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off("exit", release);
    if (readLock(lockPath)?.token === token) rmSync(lockPath, { force: true });
  };
  process.on("exit", release);
  return release;
}

function removeOldMarkers(lockPath: string) {
  const prefix = `${basename(lockPath)}.takeover.`;
  for (const name of readdirSync(dirname(lockPath)).filter((n) => n.startsWith(prefix))) {
    const path = join(dirname(lockPath), name);
    // Another process may remove the marker between the listing and the stat: a marker already gone is skipped.
    const marker = statSync(path, { throwIfNoEntry: false });
    if (marker && Date.now() - marker.mtimeMs > TAKEOVER_MARKER_TTL_MS) rmSync(path, { force: true });
  }
}

function inUse(dir: string, pid: number, note = "") {
  return new DbError(
    `The database at ${dir} is in use by process ${pid}${note}. Wait for it to finish, or use --db to pick another directory.`,
  );
}

/** True if a process with this pid exists (EPERM: it exists but is not ours). */
function processIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
