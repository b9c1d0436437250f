// Imports point down (docs/architecture.md):
//   edges (bin, cli, functions, state-machine, stacks, scripts) → lib/pipeline → agents (lib/agents, lib/models,
//   lib/knowledge) → core (lib/portfolio, lib/retirement, lib/charts, lib/market, lib/output, lib/seed, lib/advice) → lib/db
//   → config (lib/config.ts, lib/logger.ts, lib/validation.ts, lib/format.ts).
// lib/infra is deploy-time code (IAM, function table): only the edges read it.
// Run: npm run check:imports (part of npm test through tests/architecture/imports.test.ts).

const EDGES = "^(bin|cli|console|functions|state-machine|stacks|scripts|tests)/|^sst[.]config[.]ts$";
const PIPELINE = "^lib/pipeline/";
const AGENTS = "^lib/(agents|models|knowledge)/";
const CORE = "^lib/(portfolio|retirement|charts|market|output|seed|advice)/";
const DB = "^lib/db/";
const CONFIG = "^lib/(config|logger|validation|format)[.]ts$";

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
      from: { path: "^lib/", pathNot: "^lib/infra/" },
      to: { path: "^lib/infra/" },
    },
    {
      name: "pipeline-is-above-agents",
      severity: "error",
      comment: "Agents, core, db and config never import the pipeline (task table, state names, Finalize).",
      from: { path: "^lib/", pathNot: `${PIPELINE}|^lib/infra/` },
      to: { path: PIPELINE },
    },
    {
      name: "core-not-to-agents",
      severity: "error",
      comment: "Core (portfolio, retirement, charts, market, output, seed, advice) is pure: no agents, models or knowledge.",
      from: { path: CORE },
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
    exclude: { path: "^(node_modules|[.]sst|tests/fixtures)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mjs", ".js", ".cjs", ".d.ts"],
    },
  },
};
