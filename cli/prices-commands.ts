import { getInstruments } from "../lib/db/repositories/instruments.js";
import { priceHistory } from "../lib/db/repositories/prices.js";
import { marketDataProvider } from "../lib/market/index.js";
import { ensureFreshPrices } from "../lib/market/refresh.js";
import { withCliDb } from "./cli-db.js";
import type { CommandArgs } from "./command.js";
import { print, printJson, progress, UsageError } from "./io.js";

/** `alex prices refresh` (needs POLYGON_API_KEY) and `alex prices show SYMBOL`. */
export async function pricesCommand(args: CommandArgs): Promise<number> {
  const [action, symbol] = args.positionals;
  if (action === "refresh") return refresh(args);
  if (action === "show" && symbol) return show(args, symbol.toUpperCase());
  throw new UsageError("usage: alex prices refresh [--force] | alex prices show SYMBOL");
}

async function refresh(args: CommandArgs): Promise<number> {
  const provider = marketDataProvider(args.config);
  if (!provider) progress("POLYGON_API_KEY is not set: prices are not refreshed.");
  return withCliDb(args, async (db) => {
    const maxAgeHours = args.values.force ? 0 : args.config.market.maxAgeHours;
    const result = await ensureFreshPrices(db, provider, { maxAgeHours });
    if (args.values.json) printJson(result);
    else if (result.status === "skipped") print(`Not refreshed: ${result.reason}.`);
    else {
      print(`Recorded ${result.recorded} closes from ${result.provider} for ${result.as_of}.`);
      for (const s of result.skipped) print(`Skipped ${s.symbol}: ${s.reason}.`);
      for (const f of result.flagged)
        print(`Flagged ${f.symbol}: ${f.close} after ${f.previous} is implausible; its price was not moved.`);
      if (result.stale.length)
        print(
          `Stale (not in that day's data): ${result.stale.map((s) => `${s.symbol} (${s.as_of ?? "no price"})`).join(", ")}`,
        );
    }
    return 0;
  });
}

async function show(args: CommandArgs, symbol: string): Promise<number> {
  return withCliDb(args, async (db) => {
    const [instrument] = await getInstruments(db, [symbol]);
    if (!instrument) {
      progress(
        `alex: ${symbol} is not in the shared reference data (a user's own instrument is shown only in their portfolio)`,
      );
      return 1;
    }
    const history = await priceHistory(db, symbol, 10);
    if (args.values.json) return (printJson({ instrument, history }), 0);
    print(`${symbol}  ${instrument.name}`);
    print(
      instrument.current_price === null
        ? "unpriced"
        : `current ${instrument.current_price} (${instrument.price_source} as of ${instrument.price_as_of})`,
    );
    for (const p of history)
      print(`  ${p.as_of}  ${String(p.close).padStart(12)}  ${p.source}${p.flag ? `  not used (${p.flag})` : ""}`);
    return 0;
  });
}
