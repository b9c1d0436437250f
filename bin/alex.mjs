#!/usr/bin/env node
// Runs the CLI precompiled (bin/cli-bundle.mjs, rebuilt when a source changed), or the TypeScript
// sources through tsx when it cannot be built (e.g. without esbuild), so `npx alex …` works right
// after `npm ci`.
import { readFileSync } from "node:fs";
import module from "node:module";
import { fileURLToPath } from "node:url";

// An older Node (e.g. the system's 20) lacks what the CLI uses (Promise.withResolvers): refuse before
// anything runs, with the fix, instead of failing a job halfway. The project brings its own Node 22.
const { engines } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const [needMajor, needMinor] = /^>=(\d+)\.(\d+)/.exec(engines.node).slice(1).map(Number);
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  process.stderr.write(
    `alex: Node ${process.versions.node} is too old (needs ${engines.node}); run it with the project's Node: \`npx alex …\` (or \`npm run alex -- …\`) after \`npm ci\`.\n`,
  );
  process.exit(1);
}

// V8's compiled code for the bundle and the packages it loads is kept on disk (Node's module compile
// cache; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so a second start skips most of the compiling.
module.enableCompileCache(fileURLToPath(new URL("../node_modules/.cache/alex-orchestra/compile", import.meta.url)));

// Settings from ./.env, if there is one (see .env.example); the environment wins over the file.
try {
  process.loadEnvFile();
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}
const { freshBundle } = await import("./cli-bundle.mjs");
const bundle = await freshBundle();
let cli;
if (bundle) cli = await import(bundle);
else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../cli/main.ts");
}
process.exitCode = await cli.main(process.argv.slice(2));
