import type { Config } from "../lib/config.js";

/** One option of a verb, as `node:util` parseArgs takes it. */
export type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

/** What a verb's implementation gets: the parsed options and the loaded config. */
export interface CommandArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  config: Config;
}

/** One verb of the CLI. */
export interface Command {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  positionals?: boolean;
  run(args: CommandArgs): Promise<number>;
}
