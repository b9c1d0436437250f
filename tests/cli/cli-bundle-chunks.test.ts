import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { removeOldChunks } from "../../bin/cli-bundle.mjs";

const HOUR = 60 * 60 * 1000;

describe("the precompiled CLI's old chunks", () => {
  const dir = mkdtempSync(join(tmpdir(), "alex-chunks-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("are removed a day after a build first left them out, however long ago they were written", () => {
    const chunks = join(dir, "chunks");
    mkdirSync(chunks);
    const [current, older] = [join(chunks, "current-AAAA.mjs"), join(chunks, "older-BBBB.mjs")];
    const now = Date.now();
    for (const file of [current, older]) {
      writeFileSync(file, "export {};\n");
      // Written three days ago, as by a build an `alex serve` still runs.
      utimesSync(file, new Date(now - 72 * HOUR), new Date(now - 72 * HOUR));
    }

    removeOldChunks(new Set([current]), chunks, now);
    expect([existsSync(current), existsSync(older)]).toEqual([true, true]);

    removeOldChunks(new Set([current]), chunks, now + 23 * HOUR);
    expect(existsSync(older)).toBe(true);

    removeOldChunks(new Set([current]), chunks, now + 25 * HOUR);
    expect([existsSync(current), existsSync(older)]).toEqual([true, false]);
  });
});
