import { existsSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../lib/config.js";
import type { Db } from "../lib/db/driver.js";
import { migrate } from "../lib/db/migrate.js";
import type { PgliteDb } from "../lib/db/pglite.js";
import { hashSources, readTemplate, saveTemplate, type TemplateSpec, templateFile } from "../lib/db/template.js";
import { failInterruptedJobs } from "../lib/pipeline/local-jobs.js";
import { seedInstruments } from "../lib/seed/demo.js";
import { EXPENSE_RATIOS } from "../lib/seed/expense-ratios.js";
import { SEED_INSTRUMENTS, SEED_PRICES_AS_OF } from "../lib/seed/instruments.js";

/** Where built templates are kept: the project's node_modules/.cache (a fresh `npm ci` starts without). */
const DEFAULT_CACHE_DIR = fileURLToPath(new URL("../node_modules/.cache/alex-orchestra", import.meta.url));

/** PostgreSQL's shared buffers in a new embedded database (the default is 128 MB). */
const SHARED_BUFFERS = "16MB";

/** The code that builds a template (drivers, migrate, seed): a change to it builds a new one too. */
const TEMPLATE_CODE = ["../lib/db/", "../lib/seed/"];

/**
 * The template new CLI databases start from: migrated and given the reference instruments. Its key
 * covers the migrations, the seed data and the code in TEMPLATE_CODE, so a change to any builds a new one.
 */
export function cliTemplate(cacheDir = process.env.ALEX_TEMPLATE_DIR || DEFAULT_CACHE_DIR): TemplateSpec {
  const code = hashSources(TEMPLATE_CODE.map((dir) => fileURLToPath(new URL(dir, import.meta.url))));
  return {
    cacheDir,
    name: "cli",
    inputs: { SEED_INSTRUMENTS, SEED_PRICES_AS_OF, EXPENSE_RATIOS, code, SHARED_BUFFERS },
  };
}

/** What a new CLI database holds before its first command: the schema and the reference instruments. */
export async function prepareNewDb(db: Db): Promise<void> {
  await migrate(db);
  await seedInstruments(db);
}

/**
 * The database the CLI works on: the embedded PGlite in `dir` or Aurora through the Data API when
 * ALEX_DB=data-api. A new embedded database starts from the template (built from the first new
 * database, then reused: no initdb), built aside and renamed into place; an existing one is migrated
 * only if a migration is missing.
 * Jobs of a local process that is gone are failed as interrupted.
 */
export async function openCliDb(
  config: Config,
  options: { dir?: string; onProgress?: (line: string) => void; template?: TemplateSpec } = {},
): Promise<Db> {
  if (config.db.driver === "data-api") {
    const { dataApiDbFromConfig } = await import("../lib/db/data-api.js");
    return dataApiDbFromConfig(config);
  }
  const dir = resolve(options.dir ?? config.db.dir);
  const { isCompleteDataDir } = await import("../lib/db/pglite.js");
  // A directory that holds something but not a whole database is refused by PgliteDb.open, saying what to do.
  const isNew = !existsSync(dir) || (!isCompleteDataDir(dir) && readdirSync(dir).length === 0);
  const db = isNew
    ? await createFromTemplate(dir, options.template ?? cliTemplate(), options.onProgress)
    : await openExisting(dir);
  try {
    for (const job of await failInterruptedJobs(db)) options.onProgress?.(`Job ${job.id} failed: ${job.reason}`);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

async function openExisting(dir: string): Promise<PgliteDb> {
  const { PgliteDb } = await import("../lib/db/pglite.js");
  const db = await PgliteDb.open(dir);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

async function createFromTemplate(
  dir: string,
  spec: TemplateSpec,
  onProgress?: (line: string) => void,
): Promise<PgliteDb> {
  const { PgliteDb } = await import("../lib/db/pglite.js");
  const file = templateFile(spec);
  const template = readTemplate(file);
  if (template) onProgress?.(`Creating the embedded database in ${dir} from its template…`);
  else onProgress?.(`Creating the embedded database in ${dir} (first run only, takes a few seconds)…`);
  const db = await PgliteDb.create(dir, {
    template,
    // Built in a temporary directory and renamed into place when complete: a kill leaves no half database.
    prepare: async (building) => {
      if (template) return;
      await prepareNewDb(building);
      // PostgreSQL zeroes its shared buffers at every start; a local database holds megabytes, not 128 MB.
      await building.pg.exec(`ALTER SYSTEM SET shared_buffers = '${SHARED_BUFFERS}'`);
      await saveTemplate(file, await building.dump());
    },
  });
  try {
    if (template) await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
