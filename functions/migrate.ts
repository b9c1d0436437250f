import { fileURLToPath } from "node:url";
import { readRolePasswords } from "../lib/db/app-role-secret.js";
import type { Db } from "../lib/db/driver.js";
import { migrate, readMigrations } from "../lib/db/migrate.js";
import { type RolePasswords, setRolePasswords } from "../lib/db/roles.js";
import { logger } from "../lib/logger.js";
import { linkedConfig, linkedRoleSecretArns, openLinkedDb } from "./links.js";

/** Where the deployment copies `lib/db/migrations` (`copyFiles` → `migrations/`, beside `bundle.mjs`). */
const BUNDLED_MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

export type MigrateResult = { applied: string[]; known: number };

type MigrateDeps = { openDb: () => Db; migrationsDir: string; rolePasswords: () => Promise<RolePasswords> };

/**
 * Applies pending migrations over the Data API as the master user (the only function that may), then sets
 * the `alex_app` and `alex_prices` roles' passwords from their secrets. Run on deploy (`stacks/database.ts`).
 */
export function createHandler(deps: MigrateDeps) {
  return async (): Promise<MigrateResult> => {
    const migrations = readMigrations(deps.migrationsDir);
    if (migrations.length === 0) throw new Error(`No migrations found in ${deps.migrationsDir}`);
    const db = deps.openDb();
    try {
      const applied = await migrate(db, migrations);
      await setRolePasswords(db, await deps.rolePasswords());
      logger.info("Migrations applied; role passwords set", { applied, known: migrations.length });
      return { applied, known: migrations.length };
    } finally {
      await db.close();
    }
  };
}

export const handler = createHandler({
  openDb: () => openLinkedDb(),
  migrationsDir: BUNDLED_MIGRATIONS_DIR,
  rolePasswords: () => readRolePasswords(linkedRoleSecretArns(), linkedConfig().awsRegion),
});
