import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { buildBundle, CACHE_DIR, isBundleFresh, ROOT } from "../../bin/cli-bundle.mjs";
import { COMMANDS } from "../../cli/commands.js";
import { main } from "../../cli/main.js";
import { cliTemplate, openCliDb } from "../../cli/open-db.js";
import { loadConfig } from "../../lib/config.js";
import { pendingMigrations, readMigrations } from "../../lib/db/migrate.js";
import { hashSources, readTemplate, templateFile, templateKey } from "../../lib/db/template.js";
import { SEED_INSTRUMENTS } from "../../lib/seed/instruments.js";

const dir = mkdtempSync(join(tmpdir(), "alex-start-up-"));
const config = loadConfig({ ALEX_DB: "pglite" });

describe("a new CLI database", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("builds the template from the first one, and the next starts from it migrated and seeded", {
    timeout: 240_000,
  }, async () => {
    const spec = cliTemplate(join(dir, "cache"));
    const lines: string[] = [];
    const first = await openCliDb(config, {
      dir: join(dir, "first"),
      template: spec,
      onProgress: (l) => lines.push(l),
    });
    await first.close();
    expect(lines.join("\n")).toContain("first run only");
    expect(readTemplate(templateFile(spec))).toBeDefined();

    lines.length = 0;
    const second = await openCliDb(config, {
      dir: join(dir, "second"),
      template: spec,
      onProgress: (l) => lines.push(l),
    });
    try {
      expect(lines.join("\n")).toContain("from its template");
      expect(await pendingMigrations(second)).toEqual([]);
      const versions = await second.query<{ version: string }>("SELECT version FROM schema_migrations ORDER BY 1");
      expect(versions.rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
      const instruments = await second.query<{ n: number }>("SELECT count(*)::int AS n FROM instruments");
      expect(instruments.rows[0].n).toBe(SEED_INSTRUMENTS.length);
    } finally {
      await second.close();
    }
  });

  it("never uses a template built from other migrations or another seed", () => {
    const migrations = readMigrations();
    const current = templateKey({ migrations, inputs: { seed: 1 } });
    expect(templateKey({ migrations: migrations.slice(0, -1), inputs: { seed: 1 } })).not.toBe(current);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, statements: [...m.statements, "SELECT 1"] } : m));
    expect(templateKey({ migrations: edited, inputs: { seed: 1 } })).not.toBe(current);
    expect(templateKey({ migrations, inputs: { seed: 2 } })).not.toBe(current);

    const cacheDir = join(dir, "stale-cache");
    const spec = cliTemplate(cacheDir);
    const stale = templateFile({ ...spec, migrations: migrations.slice(0, -1) });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(stale, "a template from before the last migration");
    expect(stale).not.toBe(templateFile(spec));
    expect(readTemplate(templateFile(spec))).toBeUndefined();
  });

  it("keys the template on the code that builds it: a changed, added or renamed source is a new key", () => {
    const code = join(dir, "code");
    mkdirSync(join(code, "repositories"), { recursive: true });
    writeFileSync(join(code, "seed.ts"), "export const seed = 1;");
    writeFileSync(join(code, "repositories", "instruments.ts"), "INSERT INTO instruments");
    const before = hashSources([code]);
    expect(hashSources([code])).toBe(before);
    writeFileSync(join(code, "repositories", "instruments.ts"), "INSERT INTO instruments ON CONFLICT");
    const edited = hashSources([code]);
    expect(edited).not.toBe(before);
    writeFileSync(join(code, "extra.ts"), "");
    expect(hashSources([code])).not.toBe(edited);
    expect(cliTemplate(join(dir, "c")).inputs).toHaveProperty("code", expect.stringMatching(/^[0-9a-f]{64}$/));
  });
});

describe("alex --help", () => {
  afterEach(() => vi.restoreAllMocks());

  it("lists every command", async () => {
    const out: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
    expect(await main(["--help"])).toBe(0);
    for (const [name, command] of Object.entries(COMMANDS))
      expect(out.join("")).toContain(`${name.padEnd(11)} ${command.summary}`);
  });

  it("loads no application module and no package: commands load theirs when they run", async () => {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ["cli/main.ts"],
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      packages: "external",
      outdir: join(dir, "graph"),
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const outputs = result.metafile.outputs;
    const entry = Object.values(outputs).find((o) => o.entryPoint === "cli/main.ts");
    const loaded = new Set<string>();
    const visit = (output: (typeof outputs)[string]) => {
      for (const input of Object.keys(output.inputs)) loaded.add(input);
      for (const imported of output.imports) {
        if (imported.kind !== "import-statement") continue;
        if (imported.external) loaded.add(imported.path);
        else visit(outputs[imported.path]);
      }
    };
    visit(entry!);
    // The help text and the did-you-mean are the CLI's own small modules, which import nothing else.
    expect([...loaded].sort()).toEqual([
      "cli/commands.ts",
      "cli/help.ts",
      "cli/main.ts",
      "cli/suggest.ts",
      "node:util",
    ]);
  });
});

describe("the precompiled CLI", () => {
  const manifestFile = join(CACHE_DIR, "cli", "manifest.json");

  // Two builds, each bundling the CLI's packages (several seconds on a loaded machine).
  it("is fresh by content: an mtime alone changes nothing; another input's hash or another entry makes it stale", {
    timeout: 180_000,
  }, async () => {
    await buildBundle();
    expect(isBundleFresh()).toBe(true);
    const source = join(ROOT, "cli", "commands.ts");
    const { atime, mtime } = statSync(source);
    utimesSync(source, atime, new Date(Date.now() + 60_000));
    try {
      expect(isBundleFresh()).toBe(true);
    } finally {
      utimesSync(source, atime, mtime);
    }
    const built = readFileSync(manifestFile, "utf8");
    const manifest = JSON.parse(built);
    expect(Object.keys(manifest.inputs)).toEqual(
      expect.arrayContaining([
        "cli/main.ts",
        "cli/commands.ts",
        "package.json",
        "package-lock.json",
        "tsconfig.json",
        "bin/cli-bundle.mjs",
      ]),
    );
    try {
      writeFileSync(
        manifestFile,
        JSON.stringify({ ...manifest, inputs: { ...manifest.inputs, "cli/commands.ts": "0" } }),
      );
      expect(isBundleFresh()).toBe(false); // a source edited since the build
      writeFileSync(manifestFile, JSON.stringify({ ...manifest, entry: "0" }));
      expect(isBundleFresh()).toBe(false); // an entry from another build than the manifest's
    } finally {
      // The manifest as the build wrote it: the bundle itself was never touched.
      writeFileSync(manifestFile, built);
    }
    expect(isBundleFresh()).toBe(true);
  });
});
