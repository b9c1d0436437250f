#!/usr/bin/env node
// Runs the CLI precompiled (bin/cli-bundle.mjs, rebuilt when a source changed), or the TypeScript
// sources through tsx when it cannot be built (e.g. without esbuild), so `npx alex …` works right
// after `npm ci`.
import { freshBundle } from "./cli-bundle.mjs";

// Settings from ./.env, if there is one (see .env.example); the environment wins over the file.
try {
  process.loadEnvFile();
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}
const bundle = await freshBundle();
let cli;
if (bundle) cli = await import(bundle);
else {
  const { register } = await import("tsx/esm/api");
  register();
  cli = await import("../cli/main.ts");
}
process.exitCode = await cli.main(process.argv.slice(2));
