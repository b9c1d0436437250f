import type { Db } from "../lib/db/driver.js";
import { findJobIdsByPrefix, JOB_ID_PREFIX } from "../lib/db/repositories/job-list.js";
import { isJobId } from "../lib/db/repositories/jobs.js";
import { UsageError } from "./io.js";

/** The shortest start of a job id the CLI accepts (as git takes a commit's first characters). */
export const MIN_PREFIX = 4;

/**
 * A full job id from an id or a unique start of one: an ambiguous start lists the jobs it matches, an unknown
 * one says so (both exit code 2).
 */
export async function resolveJobId(db: Db, text: string): Promise<string> {
  if (isJobId(text)) return text.toLowerCase();
  const prefix = text.toLowerCase();
  if (!JOB_ID_PREFIX.test(prefix) || prefix.length < MIN_PREFIX)
    throw new UsageError(
      `"${text}" is not a job id: give the id, or at least its first ${MIN_PREFIX} characters ("alex jobs" lists them)`,
    );
  const matches = await findJobIdsByPrefix(db, prefix, 10);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new UsageError(`no job id starts with "${text}" ("alex jobs" lists them)`);
  throw new UsageError(
    `"${text}" starts more than one job id; give more characters:\n${matches.map((id) => `  ${id}`).join("\n")}`,
  );
}
