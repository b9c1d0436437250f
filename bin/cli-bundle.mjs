// The CLI precompiled by esbuild, its npm packages bundled in (PGlite, which reads its WASM beside
// itself, excepted), so a start skips tsx's on-the-fly TypeScript compilation and resolving and reading
// some thousand package files one by one. It lives in node_modules/.cache/alex-orchestra (a fresh `npm ci` starts
// without it; `prepare` builds it) with a manifest: a hash of the entry file and of every source as it
// was compiled, plus the build's own settings. A bundle whose entry or any input differs is rebuilt
// before it runs, so it never runs stale code (whatever the files' mtimes say).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CACHE_DIR = join(ROOT, "node_modules", ".cache", "alex-orchestra");
export const BUNDLE = join(CACHE_DIR, "cli", "alex.mjs");
const MANIFEST = join(CACHE_DIR, "cli", "manifest.json");
const ENTRY = join(ROOT, "cli", "main.ts");

/** Files that shape the build without being imported by it (the lockfile: the packages bundled in). */
const BUILD_SETTINGS = ["bin/cli-bundle.mjs", "package.json", "package-lock.json", "tsconfig.json"];

/** Packages left outside the bundle: PGlite loads pglite.wasm and pglite.data from beside its own module. */
const EXTERNAL_PACKAGES = ["@electric-sql/pglite"];

/** Bundled CommonJS packages call `require` (e.g. for Node's built-ins); an ES module has none of its own. */
const REQUIRE_SHIM =
  'import { createRequire as createRequireForPackages } from "node:module"; const require = createRequireForPackages(import.meta.url);';

const hashOf = (contents) => createHash("sha256").update(contents).digest("hex");
const hashFile = (file) => hashOf(readFileSync(join(ROOT, file)));

/** True when the bundle's entry is the one its manifest describes and every input still has the hash it was built from. */
export function isBundleFresh() {
  try {
    const manifest = JSON.parse(readFileSync(MANIFEST, "utf8"));
    if (hashOf(readFileSync(BUNDLE)) !== manifest.entry) return false;
    return Object.entries(manifest.inputs).every(([file, hash]) => hashFile(file) === hash);
  } catch {
    return false;
  }
}

/**
 * Bundles cli/main.ts and everything it imports from this repository into one ES module. Each file's
 * `import.meta.url` keeps pointing at the file itself, so data read beside a module (migrations, the
 * knowledge corpus) is read from the repository.
 */
export async function buildBundle() {
  const { build } = await import("esbuild");
  const compiled = new Map(); // repository file → hash of the contents esbuild compiled
  const settings = Object.fromEntries(BUILD_SETTINGS.map((file) => [file, hashFile(file)]));
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: { alex: ENTRY },
    outdir: dirname(BUNDLE),
    outExtension: { ".js": ".mjs" },
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: EXTERNAL_PACKAGES,
    mainFields: ["module", "main"], // a package's ES module build where it has one
    banner: { js: REQUIRE_SHIM },
    metafile: true,
    write: false,
    logLevel: "silent",
    plugins: [compileOwnSources(compiled)],
  });
  const inputs = { ...settings };
  for (const file of Object.keys(result.metafile.inputs)) {
    if (!file.startsWith("node_modules/")) inputs[file] = compiled.get(file) ?? hashFile(file);
  }
  // Chunks have content-hashed names, so a process still running an older build keeps its own; the
  // entry point is replaced last.
  const entry = result.outputFiles.find((file) => file.path === BUNDLE);
  for (const file of result.outputFiles) {
    if (file === entry) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    writeAtomically(file.path, file.contents);
  }
  writeAtomically(BUNDLE, entry.contents);
  writeAtomically(MANIFEST, JSON.stringify({ entry: hashOf(entry.contents), inputs }));
  removeOldChunks(new Set(result.outputFiles.map((file) => file.path)));
}

/** How long an older build's chunks are kept for a process still running it (e.g. `alex serve`) to load them. */
const OLD_CHUNKS_KEPT_MS = 24 * 60 * 60 * 1000;

/**
 * Removes the chunks of earlier builds (each holds the bundled packages: megabytes) a day after a build first left
 * them out — not a day after they were written, which would take them from a process running that build for a day
 * already. When each was first left out is kept beside them (`superseded.json`).
 */
export function removeOldChunks(current, dir = join(dirname(BUNDLE), "chunks"), now = Date.now()) {
  const ledger = join(dirname(dir), "superseded.json");
  let superseded = {};
  try {
    superseded = JSON.parse(readFileSync(ledger, "utf8"));
  } catch {
    // none yet, or unreadable: every chunk left out is left out from now
  }
  const kept = {};
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    if (current.has(file)) continue;
    const since = Number(superseded[name]) || now;
    if (now - since > OLD_CHUNKS_KEPT_MS) rmSync(file, { force: true });
    else kept[name] = since;
  }
  writeAtomically(ledger, JSON.stringify(kept));
}

/** The bundle's path when it is fresh or could be rebuilt; undefined to run the sources through tsx instead. */
export async function freshBundle() {
  if (process.env.ALEX_CLI_TSX === "1") return undefined;
  if (isBundleFresh()) return BUNDLE;
  try {
    await buildBundle();
    return BUNDLE;
  } catch {
    return undefined;
  }
}

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/**
 * Loads the repository's TypeScript: records the hash of exactly what is compiled, and points each file's
 * `import.meta.url` back at the file itself.
 * @returns {import("esbuild").Plugin}
 */
function compileOwnSources(compiled) {
  return {
    name: "compile-own-sources",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (args.path.includes("/node_modules/")) return undefined;
        const source = readFileSync(args.path, "utf8");
        compiled.set(relative(ROOT, args.path), hashOf(source));
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return { contents: source.replaceAll("import.meta.url", url), loader: "ts" };
      });
    },
  };
}

/**
 * `npm ci`'s `prepare` step: builds the bundle, then the database template (by creating a throwaway
 * database, which saves it), so a newcomer's first `npm start` skips initdb too. Either step may fail
 * without failing the install (e.g. no esbuild with --omit=dev): the CLI then falls back to tsx and
 * builds the template on its first new database.
 */
async function prepare() {
  try {
    await buildBundle();
    process.stdout.write(`Built ${relative(ROOT, BUNDLE)}\n`);
  } catch (error) {
    process.stdout.write(`Not prebuilding the CLI (${error.message}); it runs through tsx.\n`);
    return;
  }
  if (process.argv.includes("--no-template")) return;
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const scratch = mkdtempSync(join(tmpdir(), "alex-template-"));
  try {
    process.env.ALEX_DB = "pglite"; // the template is the embedded database's, whatever the shell says
    const { main } = await import(BUNDLE);
    const code = await main(["migrate", "--db", join(scratch, "db")]);
    process.stdout.write(code === 0 ? "Built the database template.\n" : "Database template not built.\n");
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await prepare();
