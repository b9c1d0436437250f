import type { Db } from "./driver.js";

/** The database role the functions connect as (created by migration 005; DML only). */
export const APP_DB_ROLE = "alex_app";

/** The database role the refresh-prices function connects as (migration 007): instruments' prices and the history only. */
export const PRICES_DB_ROLE = "alex_prices";

/** A role the functions log in as, each with its own Secrets Manager secret. */
export type FunctionDbRole = typeof APP_DB_ROLE | typeof PRICES_DB_ROLE;
export const FUNCTION_DB_ROLES = [APP_DB_ROLE, PRICES_DB_ROLE] as const satisfies readonly FunctionDbRole[];
export type RolePasswords = Record<FunctionDbRole, string>;

/** The SECURITY DEFINER function (only the master user may call it) that gives each role LOGIN and its password. */
const PASSWORD_SETTERS = {
  alex_app: "set_app_role_password",
  alex_prices: "set_prices_role_password",
} as const satisfies Record<FunctionDbRole, string>;

/** Sets a role's password (and LOGIN) from its secret; run by `migrate` as the master user. */
async function setRolePassword(db: Db, role: FunctionDbRole, password: string): Promise<void> {
  // Selects a constant, not the function's void result, which the Data API cannot return.
  await db.query(`SELECT 1 AS done FROM ${PASSWORD_SETTERS[role]}(:password)`, { password });
}

/** Sets every function role's password. */
export async function setRolePasswords(db: Db, passwords: RolePasswords): Promise<void> {
  for (const role of FUNCTION_DB_ROLES) await setRolePassword(db, role, passwords[role]);
}
