/**
 * Bundles every Lambda handler the way `sst deploy` does (esbuild: ESM, platform node, target of
 * nodejs22.x, minify, keep names, SST's createRequire banner; no source map) into a temporary
 * directory, prints each bundle's size and fails if a bundle carries local-only code: PGlite or
 * Vega / Vega-Lite (found in esbuild's metafile inputs).
 *
 *   npx tsx scripts/bundle-sizes.ts [--keep]      (--keep leaves the bundles and prints where)
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build, type Metafile } from "esbuild";
import { FUNCTION_NAMES, FUNCTIONS, handlerFile } from "../lib/infra/functions.js";

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

interface Report {
  name: string;
  entry: string;
  bytes?: number;
  forbidden?: string[];
  error?: string;
  note?: string;
}

export async function bundle(entry: string, outfile: string): Promise<{ bytes: number; forbidden: string[] }> {
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
  return { bytes: outputBytes(result.metafile), forbidden: forbiddenInputs(result.metafile) };
}

const outputBytes = (metafile: Metafile) => Object.values(metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);

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

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main() {
  const keep = process.argv.includes("--keep");
  const out = mkdtempSync(join(tmpdir(), "alex-bundles-"));
  const reports: Report[] = [];
  for (const name of FUNCTION_NAMES) {
    const entry = handlerFile(FUNCTIONS[name]);
    if (!existsSync(entry)) {
      reports.push({ name, entry, note: "skipped: handler file not written yet" });
      continue;
    }
    try {
      reports.push({ name, entry, ...(await bundle(entry, join(out, name, "bundle.mjs"))) });
    } catch (error) {
      reports.push({ name, entry, error: (error as Error).message.split("\n").slice(0, 6).join("\n") });
    }
  }
  const declared = new Set(FUNCTION_NAMES.map((name) => handlerFile(FUNCTIONS[name])));
  const helpers = readdirSync("functions").filter((file) => file.endsWith(".ts") && !declared.has(`functions/${file}`));

  for (const r of reports) {
    const status = r.note ?? r.error ?? (r.forbidden?.length ? `FORBIDDEN: ${r.forbidden.join(", ")}` : "ok");
    console.log(
      `${r.name.padEnd(15)} ${(r.bytes === undefined ? "-" : kb(r.bytes)).padStart(10)}  ${r.entry}  ${status}`,
    );
  }
  if (helpers.length > 0) console.log(`(not deployed on their own: ${helpers.join(", ")})`);
  if (keep) console.log(`bundles kept in ${out}`);
  else rmSync(out, { recursive: true, force: true });

  const failed = reports.filter((r) => r.error || r.forbidden?.length);
  if (failed.length > 0) {
    console.error(`\n${failed.length} bundle(s) failed: ${failed.map((r) => r.name).join(", ")}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
