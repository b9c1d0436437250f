import type { Command, OptionHelp } from "./command.js";

/** What each option means, shared by every command that takes it (a command's own `optionHelp` wins). */
const OPTION_HELP: Record<string, OptionHelp> = {
  portfolio: { arg: "FILE", text: "the portfolio JSON file (README: Your own portfolio)" },
  json: { text: "print JSON on stdout instead of text" },
  db: { arg: "DIR", text: "the embedded database folder (default .alex/db; ALEX_DB=data-api uses Aurora)" },
  out: { arg: "DIR", text: "write the job's files to DIR/<job id>/ (default out)" },
  seed: { arg: "N", text: "fix the Monte Carlo's random seed (an integer) for repeatable numbers" },
  user: { arg: "ID", text: "only this user's jobs" },
  graph: { text: "draw the job's execution to out/<job id>/execution.svg" },
  trace: { text: "print the job's agent trace (with --json: its spans as JSON)" },
  port: { arg: "N", text: "the port (default 4000; 0 picks a free one)" },
  host: { arg: "HOST", text: "the address to listen on (default 127.0.0.1: this machine only)" },
  force: { text: "refresh even when the prices are fresh" },
  "queue-url": { arg: "URL", text: "the deployed jobs queue (the stack's queueUrl output)" },
  job: { arg: "JOB", text: "the job id, or a unique start of it, whose execution to follow" },
  "state-machine": { arg: "ARN", text: "the deployed state machine (the stack's stateMachineArn output)" },
  corpus: { text: "add the bundled market notes" },
  deployed: { text: "write to the deployed knowledge base (needs SAGEMAKER_ENDPOINT, VECTOR_BUCKET)" },
};

/** What describes a command's option, or undefined when nothing does. */
export function optionHelp(command: Command, option: string): OptionHelp | undefined {
  return command.optionHelp?.[option] ?? OPTION_HELP[option];
}

/** `alex COMMAND --help`: usage, what it does, every option, and an example. */
export function commandHelp(name: string, command: Command): string {
  const examples = command.examples ?? [];
  return [
    `Usage: ${command.usage}`,
    "",
    `alex ${name}: ${command.summary}.`,
    "",
    "Options:",
    ...Object.entries(command.options).map(([option, spec]) =>
      optionLine(option, spec.short, optionHelp(command, option) ?? { text: "" }),
    ),
    optionLine("help", "h", { text: "this help" }),
    ...(examples.length === 0 ? [] : ["", examples.length === 1 ? "Example:" : "Examples:"]),
    ...examples.map((example) => `  ${example}`),
  ].join("\n");
}

function optionLine(option: string, short: string | undefined, help: OptionHelp): string {
  const flag = `${short ? `-${short}, ` : ""}--${option}${help.arg ? ` ${help.arg}` : ""}`;
  return `  ${flag.padEnd(24)}${help.text}`;
}
