import { MODEL_PRICES, type ModelPrice, parseModelName } from "./model-prices.js";

export interface TokenCount {
  input_tokens: number;
  output_tokens: number;
}

/** A job's model cost in dollars, or why there is none; the price it used travels with it. */
export type JobCost =
  | ({ usd: number; model: string } & Omit<ModelPrice, "model" | "provider">)
  | { usd: null; model: string; reason: string };

/** The listed price of exactly this provider's model; none for any other (never a look-alike's rate). */
function priceFor(model: string): ModelPrice | undefined {
  const { provider, model: id } = parseModelName(model);
  return MODEL_PRICES.find((price) => price.provider === provider && price.model === id);
}

/** Dollars for the tokens at the model's price, rounded to a millionth of a dollar; "unpriced" without one. */
export function jobCost(model: string, tokens: TokenCount): JobCost {
  const price = priceFor(model);
  if (!price)
    return { usd: null, model, reason: `unpriced: no price is listed for ${model} (lib/tracing/model-prices.ts)` };
  const { model: _model, provider: _provider, ...listed } = price;
  const usd =
    (tokens.input_tokens * price.input_usd_per_million + tokens.output_tokens * price.output_usd_per_million) / 1e6;
  return { usd: Math.round(usd * 1e6) / 1e6, model, ...listed };
}

/** `$0.012345`, or `unpriced` */
export function formatCost(cost: JobCost): string {
  return cost.usd === null ? "unpriced" : `$${cost.usd.toFixed(6)}`;
}

/** The cost of the model calls in a trace, priced per model; null dollars if any model has no price. */
export function traceCost(
  calls: { model: string | null; input_tokens: number | null; output_tokens: number | null }[],
): JobCost[] {
  const byModel = new Map<string, TokenCount>();
  for (const call of calls) {
    const model = call.model ?? "unknown";
    const sum = byModel.get(model) ?? { input_tokens: 0, output_tokens: 0 };
    byModel.set(model, {
      input_tokens: sum.input_tokens + (call.input_tokens ?? 0),
      output_tokens: sum.output_tokens + (call.output_tokens ?? 0),
    });
  }
  return [...byModel].map(([model, tokens]) => jobCost(model, tokens));
}
