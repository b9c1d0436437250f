import type { Config } from "../lib/config.js";

/** One option of a verb, as `node:util` parseArgs takes it. */
export type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

/** What a verb's implementation gets: the parsed options and the loaded config. */
export interface CommandArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  config: Config;
}

/** How `--help` describes an option: its argument's name (none for a flag) and what it does. */
export interface OptionHelp {
  arg?: string;
  text: string;
}

/** One verb of the CLI. */
export interface Command {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Options this command describes its own way (cli/help.ts describes the common ones). */
  optionHelp?: Record<string, OptionHelp>;
  /** Command lines shown under "Examples" in `alex COMMAND --help`. */
  examples?: string[];
  positionals?: boolean;
  run(args: CommandArgs): Promise<number>;
}
