/**
 * `npm run test:mutations`: applies one-line widenings of the deployment's permissions, one at a time, to
 * a temporary copy of the tree, runs the permission tests on each, and prints "caught" or "MISSED".
 * Exits 1 if any widening passes the tests (or no longer applies). Not part of `npm test` (about a minute).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { MUTATIONS, PERMISSION_TESTS } from "./permission-mutations.js";

const ROOT = resolve(import.meta.dirname, "..");

/** A copy of the tracked (and new, unignored) files, sharing node_modules. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "alex-mutations-"));
  const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
    .stdout.split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  // No global setup (the database template): the permission tests need none.
  writeFileSync(
    join(dir, "vitest.mutations.config.mjs"),
    `export default { test: { include: ${JSON.stringify(PERMISSION_TESTS)}, pool: "threads", maxWorkers: 2, env: { ALEX_LOG_LEVEL: "SILENT" } } };\n`,
  );
  return dir;
}

/** The permission test files that fail in `dir` (none: they all pass). */
function failingTests(dir: string): string[] {
  const run = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "vitest.mutations.config.mjs", "--reporter=dot"],
    { cwd: dir, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } },
  );
  if (run.status === 0) return [];
  const files = PERMISSION_TESTS.filter((file) => run.stdout.includes(`FAIL  ${file}`) || run.stderr.includes(file));
  return files.length > 0 ? files : [`exit ${run.status ?? run.signal}`];
}

function main(): number {
  const dir = copyTree();
  try {
    if (failingTests(dir).length > 0) {
      console.error("The permission tests fail on the unmutated tree: fix them first.");
      return 1;
    }
    let missed = 0;
    for (const [i, m] of MUTATIONS.entries()) {
      const path = join(dir, m.file);
      const original = readFileSync(path, "utf8");
      const at = original.indexOf(m.from);
      const label = `${String(i + 1).padStart(2)}. ${m.what} (${m.file})`;
      if (at < 0 || original.indexOf(m.from, at + 1) >= 0) {
        console.log(`MISSED  ${label}: the line to mutate is not found exactly once; update this script`);
        missed++;
        continue;
      }
      writeFileSync(path, original.slice(0, at) + m.to + original.slice(at + m.from.length));
      const failing = failingTests(dir);
      writeFileSync(path, original);
      if (failing.length === 0) missed++;
      console.log(
        `${failing.length > 0 ? "caught" : "MISSED"}  ${label}${failing.length > 0 ? `\n          by ${failing.map((f) => f.replace("tests/infra/", "")).join(", ")}` : ""}`,
      );
    }
    console.log(
      `\n${MUTATIONS.length - missed} of ${MUTATIONS.length} widenings caught by ${PERMISSION_TESTS.join(", ")}`,
    );
    return missed === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
