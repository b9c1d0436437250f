import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bundle } from "../../scripts/bundle-sizes.js";

describe("Lambda bundles", () => {
  const out = mkdtempSync(join(tmpdir(), "alex-bundle-test-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("flags local-only packages a bundle would carry", async () => {
    const local = await bundle("cli/open-db.ts", join(out, "open", "bundle.mjs"));
    expect(local.forbidden).toContain("@electric-sql/pglite");
    const charts = await bundle("lib/charts/render.ts", join(out, "charts", "bundle.mjs"));
    expect(charts.forbidden.some((name) => name.startsWith("vega"))).toBe(true);
  });

  it("keeps the infrastructure's own functions free of them", async () => {
    for (const entry of ["functions/migrate.ts", "functions/execution-ended.ts", "functions/start-jobs.ts"]) {
      const result = await bundle(entry, join(out, entry, "bundle.mjs"));
      expect(result.forbidden, entry).toEqual([]);
      expect(result.bytes, entry).toBeLessThan(2 * 1024 * 1024);
    }
  });
});
