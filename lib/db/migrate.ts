import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Db, DbError } from "./driver.js";
import { splitStatements } from "./sql-text.js";

export interface Migration {
  version: string;
  statements: string[];
}

/** The folder holding `NNN_name.sql` files next to this module (Lambda bundles copy it beside the handler). */
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * The migrations in `dir`, in order. A file is read and split into statements only when its statements are
 * first asked for: checking an up-to-date database needs the versions alone.
 */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .sort()
    .map((file) => {
      let statements: string[] | undefined;
      return {
        version: file.replace(/\.sql$/, ""),
        get statements() {
          statements ??= splitStatements(readFileSync(join(dir, file), "utf8"));
          return statements;
        },
      };
    });
}

/** SQLSTATE undefined_table: a database no migration ran on yet. */
const UNDEFINED_TABLE = "42P01";

/** The migrations `schema_migrations` does not record (one query); all of them on a new database. */
export async function pendingMigrations(db: Db, migrations: Migration[] = readMigrations()): Promise<Migration[]> {
  try {
    const { rows } = await db.query<{ version: string }>("SELECT version FROM schema_migrations");
    const applied = new Set(rows.map((row) => row.version));
    return migrations.filter((migration) => !applied.has(migration.version));
  } catch (error) {
    if (error instanceof DbError && error.code === UNDEFINED_TABLE) return migrations;
    throw error;
  }
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction under
 * an advisory lock, so running twice (or two deployments at once) applies each version once.
 * Statements go one by one, which both PGlite and the Data API accept. An up-to-date database costs
 * one query.
 */
export async function migrate(db: Db, all: Migration[] = readMigrations()): Promise<string[]> {
  const migrations = await pendingMigrations(db, all);
  if (migrations.length === 0) return [];
  await db.query(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version    VARCHAR(255) PRIMARY KEY,
       applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
     )`,
  );
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction(async (tx) => {
      await tx.query("SELECT 1 AS locked FROM pg_advisory_xact_lock(4242001)");
      const done = await tx.query("SELECT 1 FROM schema_migrations WHERE version = :version", {
        version: migration.version,
      });
      if (done.rows.length > 0) return false;
      for (const statement of migration.statements) await tx.query(statement);
      await tx.query("INSERT INTO schema_migrations (version) VALUES (:version)", { version: migration.version });
      return true;
    });
    if (ran) applied.push(migration.version);
  }
  return applied;
}
