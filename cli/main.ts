import { parseArgs } from "node:util";
import type { Command } from "./command.js";
import { COMMANDS } from "./commands.js";

const HELP = `alex — Alex Orchestra, an AI financial planner's agent team

Usage: alex <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`)
  .join("\n")}

Run "alex <command> --help" for a command's options. Data goes to stdout, progress and errors to stderr.`;

/**
 * Runs one CLI command and returns the process exit code (0 only on success). Help and usage errors
 * load no application module (config, zod, the database): a command's modules load when it runs.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${HELP}\n`);
    return name ? 0 : 2;
  }
  const command: Command | undefined = COMMANDS[name as keyof typeof COMMANDS];
  if (!command) {
    process.stderr.write(`alex: unknown command "${name}"\n\n${HELP}\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    const { loadConfig } = await import("../lib/config.js");
    return await command.run({ values, positionals, config: loadConfig() });
  } catch (error) {
    return await reportError(error);
  }
}

async function reportError(error: unknown): Promise<number> {
  const isParseError = (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") ?? false;
  const known = isParseError || (await isUserError(error));
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`alex: ${message}\n`);
  if (!known && error instanceof Error && process.env.ALEX_DEBUG) process.stderr.write(`${error.stack}\n`);
  return known ? 2 : 1;
}

/** A mistake the person fixes (exit code 2, no stack trace). */
async function isUserError(error: unknown): Promise<boolean> {
  const [{ ConfigError }, { PortfolioFileError }, { UsageError }] = await Promise.all([
    import("../lib/config.js"),
    import("../lib/portfolio/portfolio-file.js"),
    import("./io.js"),
  ]);
  return error instanceof UsageError || error instanceof ConfigError || error instanceof PortfolioFileError;
}
