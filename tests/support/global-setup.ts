import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { migrate } from "../../lib/db/migrate.js";
import { PgliteDb } from "../../lib/db/pglite.js";
import { seedInstruments } from "../../lib/seed/demo.js";

declare module "vitest" {
  export interface ProvidedContext {
    dbTemplatePath: string;
    dbTemplateDir: string;
    dbEmptyDir: string;
  }
}

const ROOT = resolve(import.meta.dirname, "../..");
const CACHE_DIR = join(ROOT, "node_modules", ".cache", "alex-test-template");
/** What the template is built from: any change to these (or a new day, for CURRENT_DATE defaults) builds a new one. */
const INPUTS = [
  "lib/db",
  "lib/seed",
  "tests/support/global-setup.ts",
  "node_modules/@electric-sql/pglite/package.json",
];

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

function templateKey(): string {
  const hash = createHash("sha256").update(new Date().toISOString().slice(0, 10));
  for (const file of INPUTS.flatMap((input) => filesUnder(join(ROOT, input)))) {
    hash.update(file.slice(ROOT.length)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex").slice(0, 24);
}

async function buildTemplate(): Promise<Uint8Array> {
  const db = await PgliteDb.memory();
  await migrate(db);
  await seedInstruments(db);
  // Every test database starts from this dump; PostgreSQL zeroes its shared buffers at each start, and the
  // default 128 MB of them is most of a start's CPU time. Tests hold kilobytes.
  await db.pg.exec("ALTER SYSTEM SET shared_buffers = '8MB'");
  const dump = await db.dump();
  await db.close();
  return new Uint8Array(await dump.arrayBuffer());
}

/** Drops templates of other inputs once they are a day old (a run still using one is long over). */
function pruneOldTemplates(keep: string) {
  for (const name of readdirSync(CACHE_DIR)) {
    const file = join(CACHE_DIR, name);
    if (!file.startsWith(keep.replace(/\.tar$/, "")) && Date.now() - statSync(file).mtimeMs > 86_400_000) {
      rmSync(file, { recursive: true, force: true });
    }
  }
}

/**
 * Lays the dump down as a data directory: copying it is cheaper than unpacking the tarball into a new
 * in-memory database (about 0.7 s against 1.7 s of CPU per database here).
 */
async function buildTemplateDir(dir: string, from?: string) {
  if (existsSync(dir)) return;
  const partial = `${dir}.${process.pid}.partial`;
  rmSync(partial, { recursive: true, force: true });
  const pg = await PGlite.create({ dataDir: partial, loadDataDir: from ? new Blob([readFileSync(from)]) : undefined });
  await pg.exec("CHECKPOINT");
  await pg.close();
  renameSync(partial, dir);
}

/**
 * Builds one migrated, seeded database (test files start theirs from its dump: initdb is slow here), kept in
 * node_modules/.cache across runs while its inputs are unchanged.
 */
export default async function setup(project: TestProject) {
  const path = join(CACHE_DIR, `${templateKey()}.tar`);
  if (!existsSync(path)) {
    const bytes = await buildTemplate();
    mkdirSync(CACHE_DIR, { recursive: true });
    const partial = `${path}.${process.pid}.partial`;
    writeFileSync(partial, bytes);
    renameSync(partial, path);
    pruneOldTemplates(path);
  }
  const dir = path.replace(/\.tar$/, ".pgdata");
  await buildTemplateDir(dir, path);
  // A database straight from initdb (no migrations), for tests of a migration on an older schema.
  const emptyDir = path.replace(/\.tar$/, ".empty.pgdata");
  await buildTemplateDir(emptyDir);
  project.provide("dbTemplatePath", path);
  project.provide("dbTemplateDir", dir);
  project.provide("dbEmptyDir", emptyDir);
}
