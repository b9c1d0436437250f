import { parseArgs } from "node:util";
import type { Command } from "./command.js";
import { ALIASES, COMMANDS } from "./commands.js";
import { commandHelp } from "./help.js";
import { closest } from "./suggest.js";

const HELP = `alex — Alex Orchestra, an AI financial planner's agent team

Usage: alex <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`)
  .join("\n")}

Run "alex <command> --help" for a command's options and examples ("analyse" works too).
Data goes to stdout, progress and errors to stderr.`;

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
  const canonical = ALIASES[name] ?? name;
  const command: Command | undefined = COMMANDS[canonical as keyof typeof COMMANDS];
  if (!command) {
    const guess = closest(name, [...Object.keys(COMMANDS), ...Object.keys(ALIASES)]);
    const hint = guess ? ` Did you mean "alex ${guess}"?` : "";
    process.stderr.write(`alex: unknown command "${name}".${hint}\n\n${HELP}\n`);
    return 2;
  }
  const unknown = unknownOption(rest, command);
  if (unknown) {
    process.stderr.write(`alex ${canonical}: ${unknown}\n\n${commandHelp(canonical, command)}\n`);
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
      process.stdout.write(`${commandHelp(canonical, command)}\n`);
      return 0;
    }
    const { loadConfig } = await import("../lib/config.js");
    return await command.run({ values, positionals, config: loadConfig() });
  } catch (error) {
    return await reportError(error);
  }
}

/** "unknown option --colour (did you mean --json?)" for the first `--name` the command does not take. */
function unknownOption(args: string[], command: Command): string | undefined {
  const known = [...Object.keys(command.options), "help"];
  for (const arg of args) {
    if (arg === "--") return undefined;
    if (!arg.startsWith("--")) continue;
    const option = arg.slice(2).split("=")[0]!;
    if (known.includes(option)) continue;
    const guess = closest(option, known);
    return `unknown option --${option}${guess ? ` (did you mean --${guess}?)` : ""}`;
  }
  return undefined;
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
