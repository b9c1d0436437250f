import type { Db } from "./driver.js";

/** The database role the functions connect as (created by migration 005; DML only). */
export const APP_DB_ROLE = "alex_app";

/** Sets the application role's password (and LOGIN) from its secret; run by `migrate` as the master user. */
export async function setAppRolePassword(db: Db, password: string): Promise<void> {
  // Selects a constant, not the function's void result, which the Data API cannot return.
  await db.query("SELECT 1 AS done FROM set_app_role_password(:password)", { password });
}
