import type { ScriptedModel } from "@openai/agents/testing";

/** Text of every function_call_result the runner sent back to the model in its last request. */
export function toolOutputsSeen(model: ScriptedModel): string[] {
  const input = model.lastCall?.request.input;
  if (!Array.isArray(input)) return [];
  return input
    .filter((item) => item.type === "function_call_result")
    .map((item) => {
      const output = (item as { output: unknown }).output;
      return typeof output === "string" ? output : JSON.stringify(output);
    });
}

/** A chart the charter's `create_chart` tool accepts. */
export const GOOD_CHART = {
  key: "asset_allocation",
  title: "Assets",
  type: "pie",
  description: "Asset classes",
  data: [{ name: "Equity", value: 100, color: "#3B82F6" }],
};
