import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../lib/config.js";
import { dataApiDbFromConfig } from "../lib/db/data-api.js";
import type { Db } from "../lib/db/driver.js";
import { migrate } from "../lib/db/migrate.js";
import { failInterruptedJobs } from "../lib/pipeline/local-jobs.js";
import { seedInstruments } from "../lib/seed/demo.js";

/**
 * The database the CLI works on: the embedded PGlite in `dir` (created, migrated and given the
 * reference instruments on first use; jobs of a local process that is gone are failed as interrupted)
 * or Aurora through the Data API when ALEX_DB=data-api.
 */
export async function openCliDb(
  config: Config,
  options: { dir?: string; onProgress?: (line: string) => void } = {},
): Promise<Db> {
  if (config.db.driver === "data-api") return dataApiDbFromConfig(config);
  const dir = resolve(options.dir ?? config.db.dir);
  const created = !existsSync(join(dir, "PG_VERSION"));
  if (created) options.onProgress?.(`Creating the embedded database in ${dir} (first run only, takes a few seconds)…`);
  const { PgliteDb } = await import("../lib/db/pglite.js");
  const db = await PgliteDb.open(dir);
  try {
    await migrate(db);
    if (created) await seedInstruments(db);
    for (const job of await failInterruptedJobs(db)) options.onProgress?.(`Job ${job.id} failed: ${job.reason}`);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
