import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { migrate } from "../../lib/db/migrate.js";
import { PgliteDb } from "../../lib/db/pglite.js";
import { seedInstruments } from "../../lib/seed/demo.js";

declare module "vitest" {
  export interface ProvidedContext {
    dbTemplatePath: string;
  }
}

/** Builds one migrated, seeded database once per run; test files start theirs from its dump (initdb is slow here). */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "alex-template-"));
  const db = await PgliteDb.memory();
  await migrate(db);
  await seedInstruments(db);
  const dump = await db.dump();
  await db.close();
  const path = join(dir, "template.tar");
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  project.provide("dbTemplatePath", path);
  return () => rmSync(dir, { recursive: true, force: true });
}
