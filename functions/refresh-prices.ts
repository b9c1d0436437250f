import * as z from "zod";
import { logger } from "../lib/logger.js";
import { marketDataProvider } from "../lib/market/index.js";
import { ensureFreshPrices, type PriceRefresh } from "../lib/market/refresh.js";
import { parseEvent, type TaskFunction } from "../lib/pipeline/task.js";
import { lambdaHandler } from "./lambda.js";

/**
 * From the state machine (`execution_id`, and `latest`: Prepare job read when prices were last fetched)
 * or the daily EventBridge Scheduler run (any object; then the refresh reads it).
 */
const RefreshPricesEvent = z
  .object({
    execution_id: z.string().min(1).optional(),
    latest: z.object({ fetched_at: z.string().nullable(), as_of: z.string().nullable() }).optional(),
  })
  .passthrough();

/**
 * Refreshes the shared instruments' market prices unless they are fresh or no key is set. Errors
 * propagate: the state machine catches and records them, and the job goes on with the last known prices.
 */
export const refreshPrices: TaskFunction<PriceRefresh> = async (event, { db, config }) => {
  const { latest } = parseEvent("Refresh prices", RefreshPricesEvent, event ?? {});
  const options = { maxAgeHours: config.market.maxAgeHours, latest };
  const result = await ensureFreshPrices(db, marketDataProvider(config), options);
  logger.info("prices", {
    status: result.status,
    as_of: result.as_of,
    stale: result.status === "refreshed" ? result.stale.length : undefined,
  });
  return result;
};

export const handler = lambdaHandler(refreshPrices);
