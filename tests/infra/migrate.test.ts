import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHandler } from "../../functions/migrate.js";
import { readRolePassword, readRolePasswords } from "../../lib/db/app-role-secret.js";
import type { Db } from "../../lib/db/driver.js";
import { MIGRATIONS_DIR, readMigrations } from "../../lib/db/migrate.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { migrationsHash } from "../../lib/infra/migrations-hash.js";
import { testDb } from "../support/db.js";

describe("migrate function", () => {
  let db: PgliteDb;
  let dir: string;
  let closed = 0;
  const openDb = () =>
    ({ query: db.query.bind(db), transaction: db.transaction.bind(db), close: async () => void closed++ }) as Db;

  beforeEach(async () => {
    db = await testDb();
    dir = mkdtempSync(join(tmpdir(), "alex-migrations-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    closed = 0;
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("applies only what is new, and nothing on a second run", async () => {
    const known = readMigrations(MIGRATIONS_DIR).length;
    writeFileSync(join(dir, "999_probe.sql"), "CREATE TABLE migrate_probe (id INTEGER PRIMARY KEY);");
    const handler = createHandler({
      openDb,
      migrationsDir: dir,
      rolePasswords: async () => ({
        alex_app: "app-generated-password-of-40-chars",
        alex_prices: "prices-password-of-40",
      }),
    });

    expect(await handler()).toEqual({ applied: ["999_probe"], known: known + 1 });
    const roles = await db.query(
      `SELECT rolname, rolcanlogin, rolpassword IS NOT NULL AS has_password FROM pg_authid
       WHERE rolname IN ('alex_app', 'alex_prices') ORDER BY rolname`,
    );
    expect(roles.rows).toEqual([
      { rolname: "alex_app", rolcanlogin: true, has_password: true },
      { rolname: "alex_prices", rolcanlogin: true, has_password: true },
    ]);
    expect(await handler()).toEqual({ applied: [], known: known + 1 });
    expect((await db.query("SELECT count(*)::int AS n FROM migrate_probe")).rows[0]).toEqual({ n: 0 });
    expect(closed).toBe(2);
  });

  it("fails loudly when the bundle carries no migrations", async () => {
    const empty = mkdtempSync(join(tmpdir(), "alex-migrations-empty-"));
    try {
      await expect(
        createHandler({
          openDb,
          migrationsDir: empty,
          rolePasswords: async () => ({ alex_app: "unused-password-0000", alex_prices: "unused-password-0000" }),
        })(),
      ).rejects.toThrow(/No migrations found/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("reads each role's password from its own secret, refusing a secret of another shape or role", async () => {
    const secrets = mockClient(SecretsManagerClient);
    const secret = (arn: string, username: string, password: string) =>
      secrets
        .on(GetSecretValueCommand, { SecretId: arn })
        .resolves({ SecretString: JSON.stringify({ username, password }) });
    secret("arn:app", "alex_app", "a".repeat(40));
    secret("arn:prices", "alex_prices", "p".repeat(40));
    secret("arn:master", "postgres", "m".repeat(40));
    const client = new SecretsManagerClient({ region: "eu-west-1" });
    expect(await readRolePasswords({ alex_app: "arn:app", alex_prices: "arn:prices" }, "eu-west-1", client)).toEqual({
      alex_app: "a".repeat(40),
      alex_prices: "p".repeat(40),
    });
    await expect(readRolePassword("alex_app", "arn:master", "eu-west-1", client)).rejects.toThrow(
      `The alex_app role's secret arn:master must be {"username": "alex_app"`,
    );
    // The secrets swapped: each role refuses the other's.
    await expect(
      readRolePasswords({ alex_app: "arn:prices", alex_prices: "arn:app" }, "eu-west-1", client),
    ).rejects.toThrow(`The alex_app role's secret arn:prices must be {"username": "alex_app"`);
    secrets.restore();
  });

  it("re-runs on deploy exactly when a migration file changes", () => {
    const before = migrationsHash(dir);
    expect(migrationsHash(dir)).toBe(before);
    writeFileSync(join(dir, "999_probe.sql"), "SELECT 1;");
    expect(migrationsHash(dir)).not.toBe(before);
  });
});
