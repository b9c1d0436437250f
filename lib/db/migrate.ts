import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "./driver.js";
import { splitStatements } from "./sql-text.js";

export interface Migration {
  version: string;
  statements: string[];
}

/** The folder holding `NNN_name.sql` files next to this module (Lambda bundles copy it beside the handler). */
export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => /^\d+_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: file.replace(/\.sql$/, ""),
      statements: splitStatements(readFileSync(join(dir, file), "utf8")),
    }));
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction under
 * an advisory lock, so running twice (or two deployments at once) applies each version once.
 * Statements go one by one, which both PGlite and the Data API accept.
 */
export async function migrate(db: Db, migrations: Migration[] = readMigrations()): Promise<string[]> {
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
