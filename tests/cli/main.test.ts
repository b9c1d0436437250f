import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { COMMANDS } from "../../cli/commands.js";
import { optionHelp } from "../../cli/help.js";
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
    expect(io.stderr()).toContain('unknown command "frobnicate".\n');
    expect(await main(["demo", "--colour"])).toBe(2);
    expect(io.stderr()).toContain("unknown option --colour\n");
  });

  it("suggests the command or option a typo meant", async () => {
    const io = capture();
    expect(await main(["anaylze"])).toBe(2);
    expect(io.stderr()).toMatch(/unknown command "anaylze"\. Did you mean "alex analy[sz]e"\?/);
    expect(await main(["jbos"])).toBe(2);
    expect(io.stderr()).toContain('Did you mean "alex jobs"?');
    expect(await main(["analyze", "--portfolo", "x.json"])).toBe(2);
    expect(io.stderr()).toContain("unknown option --portfolo (did you mean --portfolio?)");
  });

  it("takes analyse for analyze", async () => {
    const io = capture();
    expect(await main(["analyse", "--help"])).toBe(0);
    expect(io.stdout()).toContain("Usage: alex analyze --portfolio FILE");
  });

  it("describes every option of every command, with an example, under COMMAND --help", async () => {
    for (const [name, command] of Object.entries(COMMANDS)) {
      const io = capture();
      expect(await main([name, "--help"]), name).toBe(0);
      const help = io.stdout();
      for (const option of Object.keys(command.options)) {
        expect(optionHelp(command, option)?.text, `${name} --${option}`).toBeTruthy();
        expect(help, `${name} --${option}`).toMatch(new RegExp(`--${option}\\b.* {2,}\\S`));
      }
      expect(help, name).toMatch(/\nExamples?:\n {2}alex /);
      vi.restoreAllMocks();
    }
  });
});
