/** The providers a model name can come from (`modelName(config)`, or the AI SDK's name in a span). */
export type PricedProvider = "bedrock" | "openai-compatible" | "offline";

/** The price of one model of one provider, in US dollars per million tokens. */
export interface ModelPrice {
  provider: PricedProvider;
  /** The provider's model id exactly, e.g. `openai.gpt-oss-120b-1:0` on Bedrock. */
  model: string;
  input_usd_per_million: number;
  output_usd_per_million: number;
  source: string;
  /** The day the price was read from the source. */
  as_of: string;
}

const BEDROCK_PRICING =
  "Amazon Bedrock pricing, on-demand, us-west-2 (https://aws.amazon.com/bedrock/pricing/); model ids from the Bedrock user guide (model-parameters-openai)";

/**
 * Per-model prices for the cost of a job, keyed on provider and model id: the same model served by
 * another provider (a local or SageMaker server behind `openai-compatible`) has no price here, so its
 * cost is "unpriced" — never another provider's rate. Update `as_of` with the prices.
 * Bedrock: $0.15 / $0.60 (gpt-oss-120b) and $0.07 / $0.30 (gpt-oss-20b) per million input / output tokens,
 * as AWS announced them at launch (2025-08-05); checked again on 2026-12-07 against the stored copy of
 * the pricing page, which lists on-demand per-token prices by region without a gpt-oss row in the copy
 * available here — re-read the page before relying on the figures.
 */
export const MODEL_PRICES: ModelPrice[] = [
  {
    provider: "bedrock",
    model: "openai.gpt-oss-120b-1:0",
    input_usd_per_million: 0.15,
    output_usd_per_million: 0.6,
    source: BEDROCK_PRICING,
    as_of: "2026-12-07",
  },
  {
    provider: "bedrock",
    model: "openai.gpt-oss-20b-1:0",
    input_usd_per_million: 0.07,
    output_usd_per_million: 0.3,
    source: BEDROCK_PRICING,
    as_of: "2026-12-07",
  },
  {
    provider: "offline",
    model: "offline",
    input_usd_per_million: 0,
    output_usd_per_million: 0,
    source: "the offline model runs locally",
    as_of: "2026-12-02",
  },
];

/**
 * The provider and model id of a model name: `bedrock:<id>` and `openai-compatible:<model>` as configured,
 * `amazon-bedrock:<id>` / `openai-compatible.chat:<model>` as the AI SDK names them in spans, or `offline`.
 */
export function parseModelName(name: string): { provider: PricedProvider | undefined; model: string } {
  if (name === "offline") return { provider: "offline", model: "offline" };
  const colon = name.indexOf(":");
  if (colon < 0) return { provider: undefined, model: name };
  const prefix = name.slice(0, colon);
  const model = name.slice(colon + 1);
  if (prefix === "bedrock" || prefix.startsWith("amazon-bedrock")) return { provider: "bedrock", model };
  if (prefix.startsWith("openai-compatible")) return { provider: "openai-compatible", model };
  return { provider: undefined, model };
}
