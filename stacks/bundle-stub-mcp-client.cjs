// Stands in for @modelcontextprotocol/client in the Lambda bundles (stacks/bundle-plugins.mjs). The Agents
// SDK's MCP servers read these names only when an MCP server is used, which Alex never does: reading one
// throws, so any use of MCP in a Lambda fails instead of running without it.
const NAMES = [
  "Client",
  "DEFAULT_REQUEST_TIMEOUT_MSEC",
  "ProtocolError",
  "ProtocolErrorCode",
  "SdkError",
  "SdkErrorCode",
  "SSEClientTransport",
  "StdioClientTransport",
  "StreamableHTTPClientTransport",
];
for (const name of NAMES) {
  Object.defineProperty(exports, name, {
    enumerable: true,
    get() {
      throw new Error(`MCP is not bundled into Alex's Lambdas (@modelcontextprotocol/client ${name})`);
    },
  });
}
