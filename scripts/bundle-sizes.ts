/**
 * Bundles every Lambda handler the way `sst deploy` does (esbuild: ESM with code splitting, platform node,
 * minify, keep names, SST's createRequire banner, the plugins of stacks/bundle-plugins.mjs; no source map)
 * into a temporary directory, then for each bundle:
 * - its size: the bytes a cold start loads (the entry file and the chunks it imports statically), and
 *   the bytes shipped (with the chunks only a dynamic `import()` loads: the model provider, OTLP, the
 *   knowledge base);
 * - its cold import time: a fresh `node` (this process's, Node 22) with an empty environment runs
 *   `await import(bundle)`, timed with `performance.now()`; minimum and median of `--runs` spawns.
 *
 * It fails (exit code 1) if a bundle is above its size limit ({@link LIMITS}: agents 1.5 MB, bookkeeping
 * 0.5 MB), does not build or import, or carries local-only code (PGlite, Vega / Vega-Lite). Import times
 * above their limit (300 ms, 150 ms) are flagged but do not fail it: timings on a shared machine are noisy.
 * `npm run bench` calls {@link measureBundles} for the same figures.
 *
 *   npm run bundle-sizes -- [--keep] [--why[=N]] [--runs=N]
 *     --keep    leave the bundles and print where
 *     --why     print the N (default 15) largest packages each bundle loads at import, and its lazy chunks
 *     --runs    cold imports per bundle (default 5; 0 skips the import timing)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build, type Metafile } from "esbuild";
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName, handlerFile } from "../lib/infra/functions.js";
import bundlePlugins from "../stacks/bundle-plugins.mjs";

export type BundleKind = "agent" | "bookkeeping";

export interface BundleLimits {
  /** Bytes loaded at import (entry file and its static chunks). */
  bytes: number;
  /** Cold `import()` in Node 22, milliseconds (reported, not enforced). */
  importMs: number;
}

const MB = 1024 * 1024;

/** Issue 13's targets: an agent calls the model; every other function is bookkeeping. */
export const LIMITS: Record<BundleKind, BundleLimits> = {
  agent: { bytes: 1.5 * MB, importMs: 300 },
  bookkeeping: { bytes: 0.5 * MB, importMs: 150 },
};

/**
 * Functions allowed more than their kind: Finalize job runs the quality gate (issue 21) — the fact-check and the
 * suitability rules over the stored outputs, with the retirement figures they quote — at 516 KB when it was added.
 */
export const LIMIT_OVERRIDES: Partial<Record<FunctionName, BundleLimits>> = {
  finalizeJob: { bytes: 0.6 * MB, importMs: 150 },
};

export interface ImportTiming {
  min: number;
  median: number;
  runs: number;
}

export interface PackageBytes {
  /** npm package, or the project folder (`lib/db`). */
  name: string;
  bytes: number;
}

export interface BundleFigure {
  name: FunctionName;
  kind: BundleKind;
  /** The handler's source file. */
  entry: string;
  /** Bytes a cold start loads: the entry file and the chunks it imports statically. */
  bytes: number;
  /** Bytes of every file in the bundle, with the chunks only a dynamic `import()` loads. */
  shippedBytes: number;
  /** Cold import time; absent when not measured (`runs: 0`). */
  importMs?: ImportTiming;
  limits: BundleLimits;
  overSize: boolean;
  overTime: boolean;
  /** Local-only packages found in the bundle (must be none). */
  forbidden: string[];
  /** The largest packages among the loaded bytes. */
  topInputs: PackageBytes[];
  /** Chunks loaded only by a dynamic `import()`: their bytes and largest package. */
  lazyChunks: { file: string; bytes: number; largest: string }[];
}

/** Packages that only the local run needs; a Lambda bundle must not contain them. */
const FORBIDDEN = [/node_modules\/@electric-sql\/pglite/, /node_modules\/vega(-[a-z-]+)?\//];

/** SST's banner for ESM bundles (pkg/runtime/node/build.go). */
const BANNER = [
  `import { createRequire as topLevelCreateRequire } from 'module';`,
  `const require = topLevelCreateRequire(import.meta.url);`,
  `import { fileURLToPath as topLevelFileUrlToPath, URL as topLevelURL } from "url"`,
  `const __filename = topLevelFileUrlToPath(import.meta.url)`,
  `const __dirname = topLevelFileUrlToPath(new topLevelURL(".", import.meta.url))`,
].join("\n");

export const bundleKind = (name: FunctionName): BundleKind => (FUNCTIONS[name].bedrock ? "agent" : "bookkeeping");

export interface Bundle {
  /** Absolute path of the entry file. */
  file: string;
  metafile: Metafile;
  /** Bytes loaded at import: the entry file and the chunks it imports statically. */
  bytes: number;
  /** Bytes of every output file. */
  shippedBytes: number;
  /** Output files (relative to the working directory) loaded at import. */
  loaded: Set<string>;
  /** Local-only packages among the inputs. */
  forbidden: string[];
}

/** Bundles one handler into `outdir` as SST does (`nodejs: { format: "esm", minify, splitting, plugins }`). */
export async function bundle(entry: string, outdir: string): Promise<Bundle> {
  const result = await build({
    entryPoints: [entry],
    outdir,
    entryNames: "[name]",
    chunkNames: "chunk.[hash]",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "es2023",
    minify: true,
    keepNames: true,
    sourcemap: false,
    mainFields: ["module", "main"],
    external: ["sharp", "pg-native"],
    banner: { js: BANNER },
    plugins: bundlePlugins,
    metafile: true,
    logLevel: "silent",
  });
  const { metafile } = result;
  const source = relative(process.cwd(), resolve(entry));
  const [file] = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint === source) ?? [];
  if (!file) throw new Error(`esbuild wrote no entry file for ${entry}`);
  const loaded = loadedOutputs(metafile, file);
  const size = (files: Iterable<string>) => [...files].reduce((sum, f) => sum + metafile.outputs[f].bytes, 0);
  return {
    file: resolve(file),
    metafile,
    bytes: size(loaded),
    shippedBytes: size(Object.keys(metafile.outputs)),
    loaded,
    forbidden: forbiddenInputs(metafile),
  };
}

/** The output files loaded with `entry`: itself and, transitively, the chunks it imports statically. */
export function loadedOutputs(metafile: Metafile, entry: string): Set<string> {
  const loaded = new Set<string>();
  const visit = (file: string) => {
    if (loaded.has(file)) return;
    loaded.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === "import-statement" && imported.path in metafile.outputs) visit(imported.path);
    }
  };
  visit(entry);
  return loaded;
}

const packageOf = (input: string) =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split("/").slice(0, -1).join("/") ?? input;

/** Bytes per package among the given outputs, largest first. */
export function packageBytes(metafile: Metafile, outputs: Iterable<string>): PackageBytes[] {
  const bytes = new Map<string, number>();
  for (const output of outputs) {
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[output].inputs)) {
      bytes.set(packageOf(input), (bytes.get(packageOf(input)) ?? 0) + bytesInOutput);
    }
  }
  return [...bytes].map(([name, b]) => ({ name, bytes: b })).sort((a, b) => b.bytes - a.bytes);
}

/** The forbidden packages among the bundle's inputs, one line per package. */
export function forbiddenInputs(metafile: Metafile): string[] {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    for (const pattern of FORBIDDEN) {
      const match = pattern.exec(input);
      if (match) packages.add(match[0].replace(/^node_modules\//, "").replace(/\/$/, ""));
    }
  }
  return [...packages].sort();
}

const execFileAsync = promisify(execFile);

/** The child's script: argv[1] is the bundle's file URL; it prints the import's milliseconds. */
const IMPORT_SCRIPT =
  "const start = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - start));";

/**
 * Cold `import()` of `file` in `runs` fresh Node processes (one after another), with an empty
 * environment: a handler must need nothing at import. Throws if the import throws.
 */
export async function coldImportMs(file: string, runs: number): Promise<ImportTiming> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await execFileAsync(
      process.execPath,
      ["--input-type=module", "-e", IMPORT_SCRIPT, pathToFileURL(file).href],
      { env: {} },
    );
    samples.push(Number(stdout));
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0], median: samples[Math.floor((samples.length - 1) / 2)], runs };
}

export interface MeasureOptions {
  /** Cold imports per bundle (default 5; 0 skips timing). */
  runs?: number;
  /** Where to write the bundles (default: a temporary directory, removed afterwards). */
  outDir?: string;
  /** The largest packages to list per bundle (default 15). */
  topInputs?: number;
}

/** Bundles, sizes and cold-imports every Lambda handler (see the file comment). */
export async function measureBundles(options: MeasureOptions = {}): Promise<BundleFigure[]> {
  const { runs = 5, topInputs = 15 } = options;
  const out = options.outDir ?? mkdtempSync(join(tmpdir(), "alex-bundles-"));
  try {
    const figures: BundleFigure[] = [];
    for (const name of FUNCTION_NAMES) figures.push(await measureBundle(name, join(out, name), runs, topInputs));
    return figures;
  } finally {
    if (!options.outDir) rmSync(out, { recursive: true, force: true });
  }
}

async function measureBundle(name: FunctionName, outdir: string, runs: number, top: number): Promise<BundleFigure> {
  const entry = handlerFile(FUNCTIONS[name]);
  const { file, metafile, bytes, shippedBytes, loaded, forbidden } = await bundle(entry, outdir);
  const kind = bundleKind(name);
  const limits = LIMIT_OVERRIDES[name] ?? LIMITS[kind];
  const importMs = runs > 0 ? await coldImportMs(file, runs) : undefined;
  const lazy = Object.keys(metafile.outputs).filter((f) => !loaded.has(f));
  return {
    name,
    kind,
    entry,
    bytes,
    shippedBytes,
    importMs,
    limits,
    overSize: bytes > limits.bytes,
    overTime: importMs !== undefined && importMs.median > limits.importMs,
    forbidden,
    topInputs: packageBytes(metafile, loaded).slice(0, top),
    lazyChunks: lazy.map((f) => ({
      file: basename(f),
      bytes: metafile.outputs[f].bytes,
      largest: packageBytes(metafile, [f])[0]?.name ?? "",
    })),
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;

/** The figures as a table: loaded and shipped bytes, cold import min / median, each against its limit. */
export function bundleTable(figures: BundleFigure[]): string {
  const header = ["function", "kind", "loaded", "limit", "shipped", "import min", "median", "limit", "status"];
  const rows = figures.map((f) => [
    f.name,
    f.kind,
    kb(f.bytes),
    kb(f.limits.bytes),
    kb(f.shippedBytes),
    f.importMs ? ms(f.importMs.min) : "-",
    f.importMs ? ms(f.importMs.median) : "-",
    ms(f.limits.importMs),
    status(f),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(header), ...rows.map(line)].join("\n").replace(/ +$/gm, "");
}

function status(f: BundleFigure): string {
  const problems = [
    f.overSize ? "OVER SIZE" : "",
    f.forbidden.length ? `FORBIDDEN: ${f.forbidden.join(", ")}` : "",
    f.overTime ? "slow import (not enforced)" : "",
  ].filter(Boolean);
  return problems.join("; ") || "ok";
}

function whyReport(f: BundleFigure): string {
  const lines = [`${f.name} loads ${kb(f.bytes)} at import:`];
  for (const input of f.topInputs) lines.push(`  ${kb(input.bytes).padStart(10)}  ${input.name}`);
  for (const chunk of f.lazyChunks) lines.push(`  lazy ${chunk.file}: ${kb(chunk.bytes)} (largest: ${chunk.largest})`);
  return lines.join("\n");
}

const option = (name: string) => process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
const optionValue = (name: string, fallback: number) => {
  const value = option(name)?.split("=")[1];
  return value === undefined ? fallback : Number(value);
};

async function main() {
  const keep = option("keep") !== undefined;
  const outDir = mkdtempSync(join(tmpdir(), "alex-bundles-"));
  const figures = await measureBundles({ runs: optionValue("runs", 5), outDir, topInputs: optionValue("why", 15) });
  console.log(bundleTable(figures));
  if (option("why") !== undefined) for (const f of figures) console.log(`\n${whyReport(f)}`);
  if (keep) console.log(`\nbundles kept in ${outDir}`);
  else rmSync(outDir, { recursive: true, force: true });

  const failed = figures.filter((f) => f.overSize || f.forbidden.length > 0);
  for (const f of failed) {
    const reasons = [
      f.overSize ? `${kb(f.bytes)} loaded at import, above the ${f.kind} limit of ${kb(f.limits.bytes)}` : "",
      f.forbidden.length ? `carries local-only ${f.forbidden.join(", ")}` : "",
    ].filter(Boolean);
    console.error(`${f.name}: ${reasons.join("; ")} (see --why)`);
  }
  if (failed.length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main();
