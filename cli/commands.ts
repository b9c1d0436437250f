import type { Command } from "./command.js";

const db = { db: { type: "string" } } as const;
const json = { json: { type: "boolean" } } as const;

/** Every verb of the CLI. Each loads its implementation on demand, so `alex --help` starts fast. */
export const COMMANDS = {
  portfolio: {
    summary: "import a portfolio file and print its valuation",
    usage: "alex portfolio --portfolio FILE [--json] [--db DIR]",
    options: { portfolio: { type: "string" }, ...json, ...db },
    examples: ["alex portfolio --portfolio examples/portfolio.json"],
    run: async (args) => (await import("./portfolio-commands.js")).portfolioCommand(args),
  },
  seed: {
    summary: "load the 22 reference instruments and the demo user",
    usage: "alex seed [--db DIR]",
    options: { ...db },
    examples: ["alex seed --db .alex/db"],
    run: async (args) => (await import("./portfolio-commands.js")).seedCommand(args),
  },
  migrate: {
    summary: "apply database migrations (embedded, or Aurora with ALEX_DB=data-api)",
    usage: "alex migrate [--db DIR]",
    options: { ...db },
    examples: ["alex migrate", "ALEX_DB=data-api AURORA_CLUSTER_ARN=… AURORA_SECRET_ARN=… alex migrate"],
    run: async (args) => (await import("./portfolio-commands.js")).migrateCommand(args),
  },
  demo: {
    summary: "analyse the demo portfolio through the state machine (what npm start runs)",
    usage: "alex demo [--json] [--db DIR] [--out DIR]",
    options: { ...json, ...db, out: { type: "string" } },
    examples: ["alex demo", "alex demo --json > job.json"],
    run: async (args) => (await import("./analysis-commands.js")).demoCommand(args),
  },
  analyze: {
    summary: "import a portfolio file and analyse it through the state machine",
    usage: "alex analyze --portfolio FILE [--json] [--db DIR] [--out DIR] [--seed N]",
    options: { portfolio: { type: "string" }, ...json, ...db, out: { type: "string" }, seed: { type: "string" } },
    examples: [
      "alex analyze --portfolio examples/portfolio.json",
      "alex analyse --portfolio my.json --seed 7 --out reports",
    ],
    run: async (args) => (await import("./analysis-commands.js")).analyzeCommand(args),
  },
  jobs: {
    summary: "list recent jobs: when, who, value, retirement outlook, status",
    usage: "alex jobs [--user ID] [--json] [--db DIR]",
    options: { user: { type: "string" }, ...json, ...db },
    examples: ["alex jobs", "alex jobs --user demo_user --json"],
    run: async (args) => (await import("./analysis-commands.js")).jobsCommand(args),
  },
  show: {
    summary:
      "show one job (and write its output files with --out, its drawn execution with --graph, its agent trace with --trace)",
    usage: "alex show JOB [--json] [--out DIR] [--graph] [--trace] [--db DIR]   (JOB: an id, or a unique start of one)",
    options: { ...json, ...db, out: { type: "string" }, graph: { type: "boolean" }, trace: { type: "boolean" } },
    optionHelp: { out: { arg: "DIR", text: "also write the job's files to DIR/<job id>/" } },
    positionals: true,
    examples: ["alex show 58d1ea6f --out out", "alex show 58d1 --trace"],
    run: async (args) => (await import("./analysis-commands.js")).showCommand(args),
  },
  eval: {
    summary: "run every persona portfolio through the configured model and score the jobs (table + eval.json)",
    usage: "alex eval [--out eval.json] [--compare EARLIER.json] [--personas DIR] [--db DIR]",
    options: { out: { type: "string" }, compare: { type: "string" }, personas: { type: "string" }, ...db },
    optionHelp: {
      out: { arg: "FILE", text: "where to write the scores (default eval.json)" },
      compare: { arg: "FILE", text: "an earlier eval.json: show what got better or worse" },
      personas: { arg: "DIR", text: "the persona portfolios (default examples/personas)" },
    },
    examples: ["alex eval", "alex eval --compare eval.json --out eval-new.json"],
    run: async (args) =>
      (await import("../scripts/eval.js")).evalCommand(args.values as Record<string, string | undefined>, args.config),
  },
  serve: {
    summary: "start the local console (job list, job pages, analyse a file, live graph) on 127.0.0.1",
    usage:
      "alex serve [--port N] [--host HOST [--allow-host NAME]…] [--db DIR]   (port 4000 by default, 0 for any free port; beyond loopback a token is printed and required)",
    options: {
      port: { type: "string" },
      host: { type: "string" },
      "allow-host": { type: "string", multiple: true },
      ...db,
    },
    optionHelp: {
      "allow-host": { arg: "NAME", text: "beyond loopback, also answer to this host name (repeatable)" },
    },
    examples: ["alex serve", "alex serve --port 0", "alex serve --host 0.0.0.0 --allow-host alex.local"],
    run: async (args) => (await import("./serve-command.js")).serveCommand(args),
  },
  definition: {
    summary: "print the state machine definition (ASL JSON)",
    usage: "alex definition",
    options: {},
    examples: ["alex definition > definition.asl.json"],
    run: async () => (await import("./analysis-commands.js")).definitionCommand(),
  },
  prices: {
    summary: "refresh market prices (needs POLYGON_API_KEY) or show a symbol's price history",
    usage: "alex prices refresh [--force] [--json] [--db DIR] | alex prices show SYMBOL [--json] [--db DIR]",
    options: { force: { type: "boolean" }, ...json, ...db },
    positionals: true,
    examples: ["alex prices refresh", "alex prices show SPY"],
    run: async (args) => (await import("./prices-commands.js")).pricesCommand(args),
  },
  submit: {
    summary: "queue a job on a deployed stack (ALEX_DB=data-api)",
    usage: "alex submit --queue-url URL (--portfolio FILE | --user ID)",
    options: { "queue-url": { type: "string" }, portfolio: { type: "string" }, user: { type: "string" } },
    examples: [
      "alex submit --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/jobs --portfolio examples/portfolio.json",
    ],
    run: async (args) => (await import("./aws-commands.js")).submitCommand(args),
  },
  watch: {
    summary: "follow a deployed execution's history live",
    usage: "alex watch EXECUTION_ARN | alex watch --job JOB --state-machine STATE_MACHINE_ARN",
    options: { job: { type: "string" }, "state-machine": { type: "string" } },
    positionals: true,
    examples: ["alex watch --job 58d1ea6f --state-machine arn:aws:states:us-east-1:123456789012:stateMachine:alex"],
    run: async (args) => (await import("./aws-commands.js")).watchCommand(args),
  },
  ingest: {
    summary: "add market notes to the knowledge base (local, or the deployed one with --deployed)",
    usage: "alex ingest FILES… [--corpus] [--deployed]",
    options: { corpus: { type: "boolean" }, deployed: { type: "boolean" } },
    positionals: true,
    examples: ["alex ingest --corpus", "alex ingest notes/*.md --deployed"],
    run: async (args) => (await import("./aws-commands.js")).ingestCommand(args),
  },
} satisfies Record<string, Command>;

/** Other names for commands: British spelling. */
export const ALIASES: Record<string, keyof typeof COMMANDS> = { analyse: "analyze" };
