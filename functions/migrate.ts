import { fileURLToPath } from "node:url";
import type { Db } from "../lib/db/driver.js";
import { migrate, readMigrations } from "../lib/db/migrate.js";
import { openLinkedDb } from "./links.js";
import { logger } from "../lib/logger.js";

/** Where the deployment copies `lib/db/migrations` (`copyFiles` → `migrations/`, beside `bundle.mjs`). */
export const BUNDLED_MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

export interface MigrateResult {
  applied: string[];
  known: number;
}

/**
 * Applies pending migrations to Aurora over the Data API. The deployment invokes it whenever the
 * migration files or the cluster change (`stacks/database.ts`); `migrate()` is idempotent, so a
 * repeated run applies nothing. A failure fails the deployment.
 */
export function createHandler(deps: { openDb: () => Db; migrationsDir: string }) {
  return async (): Promise<MigrateResult> => {
    const migrations = readMigrations(deps.migrationsDir);
    if (migrations.length === 0) throw new Error(`No migrations found in ${deps.migrationsDir}`);
    const db = deps.openDb();
    try {
      const applied = await migrate(db, migrations);
      logger.info("Migrations applied", { applied, known: migrations.length });
      return { applied, known: migrations.length };
    } finally {
      await db.close();
    }
  };
}

export const handler = createHandler({ openDb: () => openLinkedDb(), migrationsDir: BUNDLED_MIGRATIONS_DIR });
