import { fileURLToPath } from "node:url";
import { readAppRolePassword } from "../lib/db/app-role-secret.js";
import type { Db } from "../lib/db/driver.js";
import { migrate, readMigrations } from "../lib/db/migrate.js";
import { setAppRolePassword } from "../lib/db/roles.js";
import { logger } from "../lib/logger.js";
import { linkedAppSecretArn, linkedConfig, openLinkedDb } from "./links.js";

/** Where the deployment copies `lib/db/migrations` (`copyFiles` → `migrations/`, beside `bundle.mjs`). */
export const BUNDLED_MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

export type MigrateResult = { applied: string[]; known: number };

type MigrateDeps = { openDb: () => Db; migrationsDir: string; appRolePassword: () => Promise<string> };

/**
 * Applies pending migrations over the Data API as the master user (the only function that may), then sets
 * the `alex_app` role's password from its secret. Run on deploy (`stacks/database.ts`); a failure fails it.
 */
export function createHandler(deps: MigrateDeps) {
  return async (): Promise<MigrateResult> => {
    const migrations = readMigrations(deps.migrationsDir);
    if (migrations.length === 0) throw new Error(`No migrations found in ${deps.migrationsDir}`);
    const db = deps.openDb();
    try {
      const applied = await migrate(db, migrations);
      await setAppRolePassword(db, await deps.appRolePassword());
      logger.info("Migrations applied; app role password set", { applied, known: migrations.length });
      return { applied, known: migrations.length };
    } finally {
      await db.close();
    }
  };
}

export const handler = createHandler({
  openDb: () => openLinkedDb(),
  migrationsDir: BUNDLED_MIGRATIONS_DIR,
  appRolePassword: () => readAppRolePassword(linkedAppSecretArn(), linkedConfig().awsRegion),
});
