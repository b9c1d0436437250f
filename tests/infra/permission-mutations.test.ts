import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MUTATIONS } from "../../scripts/permission-mutations.js";

// `npm run test:mutations` runs only on demand: a refactor that moves a line it widens would leave it reporting
// "not found" the next time someone runs it. Each mutation must find its line exactly once in today's tree.

describe("the permission mutations", () => {
  it.each(MUTATIONS.map((m) => [m.what, m] as const))("%s: its line is in the file once", (_, mutation) => {
    const source = readFileSync(mutation.file, "utf8");
    expect(source.split(mutation.from).length - 1, `${mutation.file}: ${mutation.from}`).toBe(1);
    expect(mutation.to).not.toBe(mutation.from);
  });
});
