// Imports point down (docs/architecture.md):
//   edges (bin, cli, console, functions, state-machine, stacks, scripts) → lib/pipeline → agents (lib/agents,
//   lib/models, lib/knowledge, lib/tracing) → core (lib/portfolio, lib/retirement, lib/charts, lib/market, lib/output,
//   lib/seed, lib/scale, lib/advice, lib/random) → lib/db → config (lib/config.ts, lib/logger.ts, lib/validation.ts,
//   lib/format.ts).
// lib/infra is deploy-time code (IAM, function table): only the edges read it.
// Every module of lib/ is in exactly one layer, and no two folders import each other.
// Run: npm run check:imports (part of npm test through tests/architecture/imports.test.ts).

const EDGES = "^(bin|cli|console|functions|state-machine|stacks|scripts|tests)/|^sst[.]config[.]ts$";
const PIPELINE = "^lib/pipeline/";
const AGENTS = "^lib/(agents|models|knowledge|tracing)/";
const CORE = "^lib/(portfolio|retirement|charts|market|output|seed|scale|advice|random)/";
const DB = "^lib/db/";
const CONFIG = "^lib/(config|logger|validation|format)[.]ts$";
const DEPLOY = "^lib/infra/";
const LAYERED = [PIPELINE, AGENTS, CORE, DB, CONFIG, DEPLOY].join("|");

/** @type {import("dependency-cruiser").IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Modules must not depend on each other in a circle (type-only imports count).",
      from: {},
      to: { circular: true },
    },
    {
      name: "no-mutual-folders",
      severity: "error",
      comment:
        "No two folders of lib/ import each other, even through different modules (portfolio ↔ retirement): " +
        "within a layer the dependency between folders points one way.",
      scope: "folder",
      from: { path: "^lib/" },
      to: { circular: true },
    },
    {
      name: "lib-module-in-a-layer",
      severity: "error",
      comment:
        "Every module of lib/ belongs to a layer (the constants at the top, as docs/architecture.md places them): " +
        "a new folder or top-level file is placed there before anything imports it or it imports anything.",
      from: { path: "^lib/", pathNot: LAYERED },
      to: {},
    },
    {
      name: "lib-import-in-a-layer",
      severity: "error",
      comment: "Every module of lib/ that is imported belongs to a layer (see lib-module-in-a-layer).",
      from: {},
      to: { path: "^lib/", pathNot: LAYERED },
    },
    {
      name: "lib-not-to-edges",
      severity: "error",
      comment: "lib/ is below every edge: it never imports the CLI, handlers, state machine, stacks or scripts.",
      from: { path: "^lib/" },
      to: { path: EDGES },
    },
    {
      name: "handlers-not-to-state-machine",
      severity: "error",
      comment: "The local executor imports the handlers; the handlers read state names from lib/pipeline.",
      from: { path: "^functions/" },
      to: { path: "^(state-machine|cli|stacks)/" },
    },
    {
      name: "only-edges-to-infra",
      severity: "error",
      comment: "lib/infra is deploy-time code (IAM, function table); runtime code in lib/ never needs it.",
      from: { path: "^lib/", pathNot: DEPLOY },
      to: { path: DEPLOY },
    },
    {
      name: "pipeline-is-above-agents",
      severity: "error",
      comment: "Agents, core, db and config never import the pipeline (task table, state names, Finalize).",
      from: { path: "^lib/", pathNot: `${PIPELINE}|${DEPLOY}` },
      to: { path: PIPELINE },
    },
    {
      name: "core-not-to-agents",
      severity: "error",
      comment:
        "Core (portfolio, retirement, charts, market, output, seed, scale, advice, random) is pure: no agents, " +
        "models, knowledge or tracing; db and config are below the agents too.",
      from: { path: `${CORE}|${DB}|${CONFIG}` },
      to: { path: AGENTS },
    },
    {
      name: "db-not-to-upper-layers",
      severity: "error",
      comment:
        "The database layer imports only config. Exceptions: the domain types (lib/portfolio/types.ts) and the " +
        "portfolio file schema (lib/portfolio/portfolio-file.ts) that the repositories return and import.",
      from: { path: DB },
      to: { path: "^lib/", pathNot: `${DB}|${CONFIG}|^lib/portfolio/(types|portfolio-file)[.]ts$` },
    },
    {
      name: "config-is-the-bottom",
      severity: "error",
      comment: "config, logger, validation and format import nothing else from lib/.",
      from: { path: CONFIG },
      to: { path: "^lib/", pathNot: CONFIG },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      comment:
        "An import that resolves to nothing is a typo or a missing dependency. @pulumi/* comes with the SST " +
        "platform (npm run sst:install), which the stacks test skips without.",
      from: {},
      to: { couldNotResolve: true, pathNot: "^@pulumi/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // node:console resolves to "console", which the folder rules would take for console/ (a cycle through it).
    exclude: { path: "^(node_modules|[.]sst|tests/fixtures)/|^console$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mjs", ".js", ".cjs", ".d.ts"],
    },
  },
};
