import { Agent, type Model, tool } from "@openai/agents";
import { z } from "zod";

export const PRICED_AGENT_INSTRUCTIONS = "Price the instruments asked about.";

/** A one-tool agent for model tests: `lookup_price` records its arguments in `calls`. */
export function pricedAgent(model: Model, calls: unknown[]) {
  const lookupPrice = tool({
    name: "lookup_price",
    description: "Latest price of an instrument.",
    parameters: z.object({ symbol: z.string() }),
    execute: async (args) => {
      calls.push(args);
      return `${args.symbol} last traded at 42.10 USD`;
    },
  });
  return new Agent({ name: "analyst", instructions: PRICED_AGENT_INSTRUCTIONS, tools: [lookupPrice], model });
}
