import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { APP_DB_ROLE } from "../../lib/db/roles.js";
import { testDb } from "../support/db.js";

/** The application role the functions connect as: only the DML they need (migration 005). */
describe(`the ${APP_DB_ROLE} database role`, () => {
  let db: PgliteDb;
  beforeAll(async () => {
    db = await testDb();
    await db.query(`SET ROLE ${APP_DB_ROLE}`);
  });
  afterAll(() => db.close());

  const refused = async (sql: string) => {
    const error = await db.query(sql).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(error?.code, `${sql} was allowed`).toBe("42501");
  };

  it.each([
    "DROP TABLE jobs",
    "ALTER TABLE jobs ADD COLUMN sneaky TEXT",
    "ALTER TABLE users DISABLE TRIGGER ALL",
    "TRUNCATE jobs",
    "CREATE TABLE exfil (x TEXT)",
    "SELECT * FROM schema_migrations",
    "DELETE FROM jobs",
    "DELETE FROM users",
    "INSERT INTO users (clerk_user_id) VALUES ('intruder')",
    "UPDATE accounts SET cash_balance = 0",
    "INSERT INTO jobs (clerk_user_id) VALUES ('demo_user')",
    "SELECT set_app_role_password('x')",
    "CREATE ROLE another",
  ])("cannot: %s", refused);

  it("can read what the functions read and write what they write", async () => {
    for (const table of ["users", "accounts", "positions", "instruments", "jobs"])
      await db.query(`SELECT count(*) FROM ${table}`);
    await db.query("UPDATE jobs SET error_message = error_message WHERE false");
    await db.query("UPDATE instruments SET name = name WHERE symbol = 'SPY'");
  });

  it("has a grant decision for every table (a new table needs one in a migration)", async () => {
    await db.query("RESET ROLE");
    const { rows } = await db.query<{ table_name: string; privileges: string }>(
      `SELECT c.relname AS table_name, COALESCE(string_agg(p.privilege_type, ',' ORDER BY p.privilege_type), '') AS privileges
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN information_schema.role_table_grants p ON p.table_name = c.relname AND p.grantee = '${APP_DB_ROLE}'
       WHERE n.nspname = 'public' AND c.relkind = 'r' GROUP BY c.relname ORDER BY c.relname`,
    );
    await db.query(`SET ROLE ${APP_DB_ROLE}`);
    expect(Object.fromEntries(rows.map((r) => [r.table_name, r.privileges]))).toEqual({
      accounts: "SELECT",
      instruments: "SELECT,UPDATE",
      instruments_untrusted_pre_004: "",
      job_traces: "INSERT,SELECT",
      jobs: "SELECT,UPDATE",
      positions: "SELECT",
      prices: "INSERT,SELECT,UPDATE",
      schema_migrations: "",
      user_instruments: "SELECT,UPDATE",
      users: "SELECT",
    });
  });
});
