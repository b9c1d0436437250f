import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { PgliteDb } from "../../lib/db/pglite.js";

const copies = new Set<string>();
process.once("exit", () => {
  for (const root of copies) rmSync(root, { recursive: true, force: true });
});

/**
 * A new data directory copied from the run's migrated and seeded template, in a temporary folder of its own
 * (removed by `removeTemplateCopy`, or when the worker exits).
 */
export function templateCopy(template: string = inject("dbTemplateDir")): string {
  const root = mkdtempSync(join(tmpdir(), "alex-testdb-"));
  copies.add(root);
  const dir = join(root, "pg");
  cpSync(template, dir, { recursive: true });
  return dir;
}

/** Removes a copy made by `templateCopy` (with its lock file's folder). */
export function removeTemplateCopy(dir: string): void {
  const root = join(dir, "..");
  rmSync(root, { recursive: true, force: true });
  copies.delete(root);
}

/** A fresh database with the schema and the 22 reference instruments (a copy of the run's template). */
export function testDb(): Promise<PgliteDb> {
  return openCopy(inject("dbTemplateDir"));
}

/** A fresh database as initdb leaves it: no migrations, no tables of ours. */
export function emptyDb(): Promise<PgliteDb> {
  return openCopy(inject("dbEmptyDir"));
}

async function openCopy(template: string): Promise<PgliteDb> {
  const dir = templateCopy(template);
  const db = await PgliteDb.open(dir);
  const close = db.close.bind(db);
  db.close = async () => {
    try {
      await close();
    } finally {
      removeTemplateCopy(dir);
    }
  };
  return db;
}
