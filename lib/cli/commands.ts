import type { Config } from "../config.js";

type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };

export interface CommandArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  config: Config;
}

export interface Command {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  positionals?: boolean;
  run(args: CommandArgs): Promise<number>;
}

const db = { db: { type: "string" } } as const;
const json = { json: { type: "boolean" } } as const;

/** Every verb of the CLI. Each loads its implementation on demand, so `alex --help` starts fast. */
export const COMMANDS = {
  portfolio: {
    summary: "import a portfolio file and print its valuation",
    usage: "alex portfolio --portfolio FILE [--json] [--db DIR]",
    options: { portfolio: { type: "string" }, ...json, ...db },
    run: async (args) => (await import("./portfolio-commands.js")).portfolioCommand(args),
  },
  seed: {
    summary: "load the 22 reference instruments and the demo user",
    usage: "alex seed [--db DIR]",
    options: { ...db },
    run: async (args) => (await import("./portfolio-commands.js")).seedCommand(args),
  },
  migrate: {
    summary: "apply database migrations (embedded, or Aurora with ALEX_DB=data-api)",
    usage: "alex migrate [--db DIR]",
    options: { ...db },
    run: async (args) => (await import("./portfolio-commands.js")).migrateCommand(args),
  },
} satisfies Record<string, Command>;
