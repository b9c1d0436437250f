import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHandler } from "../../functions/migrate.js";
import { readAppRolePassword } from "../../lib/db/app-role-secret.js";
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
      appRolePassword: async () => "a-generated-password-of-40-chars",
    });

    expect(await handler()).toEqual({ applied: ["999_probe"], known: known + 1 });
    const role = await db.query(
      "SELECT rolcanlogin, rolpassword IS NOT NULL AS has_password FROM pg_authid WHERE rolname = 'alex_app'",
    );
    expect(role.rows).toEqual([{ rolcanlogin: true, has_password: true }]);
    expect(await handler()).toEqual({ applied: [], known: known + 1 });
    expect((await db.query("SELECT count(*)::int AS n FROM migrate_probe")).rows[0]).toEqual({ n: 0 });
    expect(closed).toBe(2);
  });

  it("fails loudly when the bundle carries no migrations", async () => {
    const empty = mkdtempSync(join(tmpdir(), "alex-migrations-empty-"));
    try {
      await expect(
        createHandler({ openDb, migrationsDir: empty, appRolePassword: async () => "unused-password-0000" })(),
      ).rejects.toThrow(/No migrations found/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("reads the app role's password from its secret, refusing a secret of another shape", async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets
      .on(GetSecretValueCommand, { SecretId: "arn:app" })
      .resolves({ SecretString: JSON.stringify({ username: "alex_app", password: "p".repeat(40) }) });
    secrets
      .on(GetSecretValueCommand, { SecretId: "arn:master" })
      .resolves({ SecretString: JSON.stringify({ username: "postgres", password: "p".repeat(40) }) });
    expect(await readAppRolePassword("arn:app", "eu-west-1", new SecretsManagerClient({ region: "eu-west-1" }))).toBe(
      "p".repeat(40),
    );
    await expect(
      readAppRolePassword("arn:master", "eu-west-1", new SecretsManagerClient({ region: "eu-west-1" })),
    ).rejects.toThrow('The app role secret arn:master must be {"username": "alex_app"');
    secrets.restore();
  });

  it("re-runs on deploy exactly when a migration file changes", () => {
    const before = migrationsHash(dir);
    expect(migrationsHash(dir)).toBe(before);
    writeFileSync(join(dir, "999_probe.sql"), "SELECT 1;");
    expect(migrationsHash(dir)).not.toBe(before);
  });
});
