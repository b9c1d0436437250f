import type { OfflinePolicy } from "../../models/offline.js";
import { type Allocation, ASSET_CLASSES, type Instrument, REGIONS, SECTORS } from "../../portfolio/types.js";
import { deriveClassification, KNOWN_INSTRUMENTS } from "./tagger-reference.js";

const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
const full = (keys: readonly string[], allocation: Allocation = {}) => ({ ...zeros(keys), ...allocation });

/** Exact data for known instruments; otherwise a classification derived from the name and type, marked as such. */
export function taggerPolicy(instrument: Instrument): OfflinePolicy {
  return () => {
    const known = KNOWN_INSTRUMENTS.get(instrument.symbol);
    const source = known ?? { ...deriveClassification(instrument), current_price: instrument.current_price };
    // The runner validates this answer against the tagger's InstrumentClassification schema.
    const answer = {
      symbol: instrument.symbol,
      name: instrument.name,
      instrument_type: source.instrument_type ?? "etf",
      current_price: source.current_price ?? instrument.current_price ?? null,
      allocation_asset_class: full(ASSET_CLASSES, source.allocation_asset_class),
      allocation_regions: full(REGIONS, source.allocation_regions),
      allocation_sectors: full(SECTORS, source.allocation_sectors),
      basis: known
        ? "reference data (offline analyst)"
        : "derived from the instrument's name and type (offline analyst)",
    };
    return { final: JSON.stringify(answer) };
  };
}
