import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { type Migration, readMigrations } from "./migrate.js";

/**
 * A new PGlite database spends most of its first start in initdb (about 60% of a cold `npm start`).
 * A template is the data directory of a database that has already been initialised (and migrated,
 * and seeded: whatever `prepare` did), dumped once as a tarball; new databases start from it with
 * PGlite's `loadDataDir`. Its file name carries a key, a hash of everything that shaped it, so a
 * template built from other migrations or another seed is never used: a new key means a new file.
 */
export interface TemplateSpec {
  /** The folder holding templates (e.g. node_modules/.cache/alex-orchestra). */
  cacheDir: string;
  /** What the template holds, e.g. "cli" for migrated and seeded. */
  name: string;
  /** Everything the template's contents depend on besides the migrations and PGlite's version. */
  inputs?: unknown;
  migrations?: Migration[];
}

/** PGlite's version (its package.json beside its entry point): the data directory's format goes with it. */
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  return JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")).version;
}

/** The key of a template: changes when a migration, the inputs or PGlite's version change. */
export function templateKey(spec: Pick<TemplateSpec, "inputs" | "migrations">): string {
  const hash = createHash("sha256");
  hash.update(`pglite ${pgliteVersion()}\n`);
  for (const migration of spec.migrations ?? readMigrations()) {
    hash.update(`${migration.version}\n${migration.statements.join("\n;\n")}\n`);
  }
  hash.update(JSON.stringify(spec.inputs ?? null));
  return hash.digest("hex").slice(0, 16);
}

/** A hash of every file below `dirs` (paths and contents, in order): code that shapes a template is an input too. */
export function hashSources(dirs: string[]): string {
  const hash = createHash("sha256");
  for (const dir of dirs) {
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort();
    for (const file of files) hash.update(`${file.slice(dir.length)}\n`).update(readFileSync(file));
  }
  return hash.digest("hex");
}

/** Where the template for `spec` is (or would be) stored. */
export function templateFile(spec: TemplateSpec): string {
  return join(spec.cacheDir, `pglite-${spec.name}-${templateKey(spec)}.tar`);
}

/** The stored template, or undefined when none was built for these migrations and inputs yet. */
export function readTemplate(file: string): Blob | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return new Blob([bytes]);
}

/** Stores a dumped data directory as the template (atomically: a reader sees the old file or the new). */
export async function saveTemplate(file: string, dump: Blob): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()));
  renameSync(temporary, file);
}
