/** The price of one model, in US dollars per million tokens. */
export interface ModelPrice {
  /** Matches the model name as `modelName(config)` and the spans write it, e.g. `bedrock:openai.gpt-oss-120b-1:0`. */
  match: RegExp;
  input_usd_per_million: number;
  output_usd_per_million: number;
  source: string;
  as_of: string;
}

const BEDROCK_PRICING = "Amazon Bedrock pricing, on-demand, us-west-2 (https://aws.amazon.com/bedrock/pricing/)";

/**
 * Per-model prices for the cost of a job. Update `as_of` with the prices; a model not listed gets no
 * cost (never a guessed one). The offline model costs nothing (its token counts are estimates).
 */
export const MODEL_PRICES: ModelPrice[] = [
  {
    match: /gpt-oss-120b/,
    input_usd_per_million: 0.15,
    output_usd_per_million: 0.6,
    source: BEDROCK_PRICING,
    as_of: "2025-08-05",
  },
  {
    match: /gpt-oss-20b/,
    input_usd_per_million: 0.07,
    output_usd_per_million: 0.3,
    source: BEDROCK_PRICING,
    as_of: "2025-08-05",
  },
  {
    match: /^offline$/,
    input_usd_per_million: 0,
    output_usd_per_million: 0,
    source: "the offline model runs locally",
    as_of: "2026-12-02",
  },
];
