import type { Db } from "./driver.js";

/** The database role the functions connect as (created by migration 005; DML only). */
export const APP_DB_ROLE = "alex_app";

/** Sets the application role's password (and LOGIN) from its secret; run by `migrate` as the master user. */
export async function setAppRolePassword(db: Db, password: string): Promise<void> {
  await db.query("SELECT set_app_role_password(:password) AS done", { password });
}
