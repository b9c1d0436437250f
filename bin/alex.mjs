#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx alex …` works right after `npm ci`.
import { register } from "tsx/esm/api";

register();
// Settings from ./.env, if there is one (see .env.example); the environment wins over the file.
try {
  process.loadEnvFile();
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
