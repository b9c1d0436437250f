import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHandler } from "../../functions/migrate.js";
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
    const handler = createHandler({ openDb, migrationsDir: dir });

    expect(await handler()).toEqual({ applied: ["999_probe"], known: known + 1 });
    expect(await handler()).toEqual({ applied: [], known: known + 1 });
    expect((await db.query("SELECT count(*)::int AS n FROM migrate_probe")).rows[0]).toEqual({ n: 0 });
    expect(closed).toBe(2);
  });

  it("fails loudly when the bundle carries no migrations", async () => {
    const empty = mkdtempSync(join(tmpdir(), "alex-migrations-empty-"));
    try {
      await expect(createHandler({ openDb, migrationsDir: empty })()).rejects.toThrow(/No migrations found/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("re-runs on deploy exactly when a migration file changes", () => {
    const before = migrationsHash(dir);
    expect(migrationsHash(dir)).toBe(before);
    writeFileSync(join(dir, "999_probe.sql"), "SELECT 1;");
    expect(migrationsHash(dir)).not.toBe(before);
  });
});
