/**
 * esbuild plugins for the Lambda bundles (`nodejs.plugins` in stacks/functions.ts; scripts/bundle-sizes.ts
 * uses the same list). Each one keeps code out of a bundle that never runs it: the Agents SDK's umbrella
 * package, its MCP client and zod's non-English locales.
 * Plain JavaScript: SST loads this file in a separate Node process (its plugin runner), not through tsx.
 * That runner tests each hook's `filter` against a field its messages do not carry, so every hook here
 * filters on every path (`.*`) and matches the path in its callback, which works the same under esbuild's own API.
 */
import { fileURLToPath } from "node:url";

/** Every path: see the file comment. */
const ANY = { filter: /.*/ };

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const resolved = (specifier) => fileURLToPath(import.meta.resolve(specifier));

/**
 * `@openai/agents-extensions/ai-sdk` imports the umbrella `@openai/agents`, which adds the OpenAI client,
 * the Responses/Realtime models and OpenAI's trace exporter, and registers them at import. Every name the
 * adapter uses comes from `@openai/agents-core` (the umbrella re-exports it), so point it there.
 */
export const agentsCoreOnly = {
  name: "alex-agents-core-only",
  setup(build) {
    build.onResolve(ANY, ({ path }) => {
      if (path === "@openai/agents") return { path: resolved("@openai/agents-core") };
      if (path === "@openai/agents/utils") return { path: resolved("@openai/agents-core/utils") };
      return undefined;
    });
  },
};

/** The Agents SDK's MCP servers (`@modelcontextprotocol/client`): Alex's agents use none. */
export const noMcpClient = {
  name: "alex-no-mcp-client",
  setup(build) {
    build.onResolve(ANY, ({ path }) =>
      /^@modelcontextprotocol\/client(\/.*)?$/.test(path) ? { path: here("./bundle-stub-mcp-client.cjs") } : undefined,
    );
  },
};

/**
 * Zod's error-message locales other than English. Dependencies import zod as `{ z }`, a namespace esbuild
 * cannot shake, and it re-exports every locale (`z.locales`); Alex's messages are English only.
 */
export const zodEnglishOnly = {
  name: "alex-zod-english-only",
  setup(build) {
    build.onResolve(ANY, ({ path, importer }) =>
      path === "../locales/index.js" && /[/\\]zod[/\\]v4[/\\](classic|core)[/\\]/.test(importer ?? "")
        ? { path: here("./bundle-stub-zod-locales.mjs") }
        : undefined,
    );
  },
};

export default [agentsCoreOnly, noMcpClient, zodEnglishOnly];
