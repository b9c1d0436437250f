// Stands in for @modelcontextprotocol/client in the Lambda bundles (stacks/bundle-plugins.mjs): any use throws.
module.exports = new Proxy(
  {},
  {
    get(_target, name) {
      if (name === "__esModule") return false;
      throw new Error(`MCP is not bundled into Alex's Lambdas (@modelcontextprotocol/client.${String(name)})`);
    },
  },
);
