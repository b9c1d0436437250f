import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.js";
import { buildDefinition } from "../../state-machine/definition.js";
import { LOCAL_ARNS } from "../../state-machine/local-executor.js";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => err.push(String(chunk)) > 0);
  return { stdout: () => out.join(""), stderr: () => err.join("") };
}

describe("the alex CLI", () => {
  afterEach(() => vi.restoreAllMocks());

  it("rejects a bad portfolio file naming the field, before touching the database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "alex-cli-"));
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        user: { display_name: "X" },
        accounts: [{ name: "A", type: "401k", positions: [{ symbol: "SPY", quantity: 0 }] }],
      }),
    );
    const io = capture();
    const code = await main(["portfolio", "--portfolio", file, "--db", join(dir, "db")]);
    expect(code).toBe(2);
    expect(io.stderr()).toContain("accounts[0].positions[0].quantity");
    expect(io.stdout()).toBe("");
    expect(existsSync(join(dir, "db"))).toBe(false);
  });

  it("prints the deployed definition's shape as JSON on stdout", async () => {
    const io = capture();
    expect(await main(["definition"])).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual(buildDefinition(LOCAL_ARNS));
  });

  it("answers an unknown command or option with usage and exit code 2", async () => {
    const io = capture();
    expect(await main(["frobnicate"])).toBe(2);
    expect(io.stderr()).toContain('unknown command "frobnicate"');
    expect(await main(["demo", "--colour"])).toBe(2);
    expect(io.stderr()).toContain("--colour");
  });
});
