import type { Config } from "../config.js";
import { PolygonProvider } from "./polygon.js";
import type { MarketDataProvider } from "./provider.js";

/** The configured market-data provider, or undefined without a key (the last known prices stay). */
export function marketDataProvider(config: Pick<Config, "market">): MarketDataProvider | undefined {
  const { apiKey, baseUrl } = config.market;
  return apiKey ? new PolygonProvider({ apiKey, baseUrl }) : undefined;
}
