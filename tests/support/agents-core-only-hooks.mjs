// Module resolve hooks (registered by record-connections.mjs): `@openai/agents` resolves to
// `@openai/agents-core`, as the Lambda bundles' esbuild plugin does (stacks/bundle-plugins.mjs).
export async function resolve(specifier, context, next) {
  if (specifier === "@openai/agents") return next("@openai/agents-core", context);
  if (specifier === "@openai/agents/utils") return next("@openai/agents-core/utils", context);
  return next(specifier, context);
}
