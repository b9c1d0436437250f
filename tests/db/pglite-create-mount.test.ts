import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

/**
 * A database directory that is a mount point (an empty Docker volume, a USB drive's folder): Linux
 * refuses to remove it (rmdir: EBUSY) and to rename a sibling over it (rename: EXDEV, another
 * filesystem). Those two refusals are simulated for the target only; everything else is the real fs.
 */
const refuse = vi.hoisted(() => ({ target: "", rmdir: "", rename: "" }));
vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const errno = (code: string) => Object.assign(new Error(`${code}: simulated mount point`), { code });
  return {
    ...fs,
    rmdirSync: (path: string, ...rest: unknown[]) => {
      if (refuse.rmdir && path === refuse.target) throw errno(refuse.rmdir);
      return (fs.rmdirSync as (...a: unknown[]) => void)(path, ...rest);
    },
    renameSync: (from: string, to: string) => {
      const building =
        dirname(from) === dirname(refuse.target) && basename(from).startsWith(`${basename(refuse.target)}.creating-`);
      if (refuse.rename && to === refuse.target && building) throw errno(refuse.rename);
      return fs.renameSync(from, to);
    },
  };
});

const { PgliteDb } = await import("../../lib/db/pglite.js");

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "alex-mount-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("creating a database in a directory that is a mount point", () => {
  it.each([
    ["rmdir refused (EBUSY)", { rmdir: "EBUSY", rename: "EXDEV" }],
    ["rename across filesystems (EXDEV)", { rmdir: "", rename: "EXDEV" }],
  ])(
    "%s: the database is copied into place and opens; nothing is left beside it",
    async (name, codes) => {
      const dir = join(root, name.split(" ")[0] ?? "db");
      mkdirSync(dir);
      Object.assign(refuse, { target: dir, ...codes });
      const db = await PgliteDb.create(dir);
      try {
        const { rows } = await db.query<{ one: number }>("SELECT 1 AS one");
        expect(rows[0]?.one).toBe(1);
      } finally {
        await db.close();
      }
      expect(existsSync(join(dir, "global", "pg_control"))).toBe(true);
      expect(existsSync(join(dir, "PG_VERSION"))).toBe(true);
      expect(readdirSync(root).filter((n) => n.includes(".creating-"))).toEqual([]);
      const again = await PgliteDb.open(dir);
      await again.close();
    },
    120_000,
  );
});
