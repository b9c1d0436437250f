/**
 * Each Lambda bundle's size and cold `import()` time in a fresh Node 22 process (a proxy for Lambda init).
 * {@link buildBundle} builds as scripts/bundle-sizes.ts does (esbuild with `sst deploy`'s options); when that
 * script exports its own measurer (size and cold import), {@link measureBundles} should call it instead.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { FUNCTION_NAMES, FUNCTIONS, handlerFile } from "../../lib/infra/functions.js";
import { TASKS, type TaskName } from "../../lib/pipeline/tasks.js";
import { type Sample, sample } from "./stats.js";

const run = promisify(execFile);

/** SST's banner for ESM bundles (pkg/runtime/node/build.go), as in scripts/bundle-sizes.ts. */
const BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

/** Bundles a handler the way scripts/bundle-sizes.ts does (and `sst deploy`); returns the output's bytes. */
export async function buildBundle(entry: string, outfile: string): Promise<number> {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "es2023",
    minify: true,
    keepNames: true,
    sourcemap: false,
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native"],
    banner: { js: BANNER },
    metafile: true,
    logLevel: "silent",
  });
  return Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
}

/** The bundles issue 13 names as bookkeeping (the state machine's tasks that run no agent). */
export const BOOKKEEPING = ["prepareJob", "finalizeJob", "markJobFailed"] as const;

export type BundleKind = "agent" | "bookkeeping" | "other";

export interface BundleMeasure {
  name: string;
  kind: BundleKind;
  bytes?: number;
  importMs?: Sample;
  error?: string;
}

export function bundleKind(name: string): BundleKind {
  if (name in TASKS && TASKS[name as TaskName].agent) return "agent";
  return (BOOKKEEPING as readonly string[]).includes(name) ? "bookkeeping" : "other";
}

/**
 * Time to `await import()` the bundle in a new `node` (the running Node, i.e. the project's 22), measured inside
 * that process from just before the import to just after (Node's own start-up is not counted).
 */
export async function coldImportMs(bundlePath: string): Promise<number> {
  const url = JSON.stringify(pathToFileURL(bundlePath).href);
  const script = `const t = performance.now(); await import(${url}); console.log(performance.now() - t);`;
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH, NODE_ENV: "production", AWS_REGION: "us-east-1" },
    timeout: 60_000,
  });
  const ms = Number(stdout.trim().split("\n").at(-1));
  if (!Number.isFinite(ms)) throw new Error(`cold import printed no time: ${stdout.slice(0, 200)}`);
  return ms;
}

/** Builds every deployed function's bundle, then imports each `imports` times in a fresh process. */
export async function measureBundles(imports: number): Promise<BundleMeasure[]> {
  const out = mkdtempSync(join(tmpdir(), "alex-bench-bundles-"));
  try {
    const measures: BundleMeasure[] = [];
    for (const name of FUNCTION_NAMES) {
      const entry = handlerFile(FUNCTIONS[name]);
      const kind = bundleKind(name);
      if (!existsSync(entry)) continue;
      const outfile = join(out, name, "bundle.mjs");
      try {
        const bytes = await buildBundle(entry, outfile);
        const times: number[] = [];
        for (let i = 0; i < imports; i++) times.push(await coldImportMs(outfile));
        measures.push({ name, kind, bytes, importMs: sample(times) });
      } catch (error) {
        measures.push({ name, kind, error: (error as Error).message.split("\n")[0] });
      }
    }
    return measures;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
