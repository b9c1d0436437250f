import type { Plugin } from "esbuild";

export declare const agentsCoreOnly: Plugin;
export declare const noMcpClient: Plugin;
export declare const zodEnglishOnly: Plugin;
declare const plugins: Plugin[];
export default plugins;
