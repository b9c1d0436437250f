import type { OfflinePolicy } from "../../models/offline.js";
import type { MarketAssumptions } from "../../retirement/assumptions.js";
import { renderRetirementMarkdown } from "../../retirement/narrative.js";
import type { RetirementOutlook } from "../../retirement/outlook.js";

/** The offline analyst answers with the outlook rendered sentence by sentence from its computed fields. */
export function retirementPolicy(
  outlook: RetirementOutlook,
  market: MarketAssumptions,
  weights: Record<string, number>,
  plan?: readonly { text: string }[],
): OfflinePolicy {
  const markdown = renderRetirementMarkdown(outlook, market, weights, plan);
  return () => ({ final: markdown });
}
