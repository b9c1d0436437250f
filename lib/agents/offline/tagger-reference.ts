import type { InstrumentInput } from "../../db/repositories/instruments.js";
import type { Allocation, Instrument, InstrumentType } from "../../portfolio/types.js";
import { SEED_INSTRUMENTS } from "../../seed/instruments.js";

const us = { north_america: 100 };
const stock = (symbol: string, name: string, price: number, sector: string): InstrumentInput => ({
  symbol,
  name,
  instrument_type: "stock",
  current_price: price,
  allocation_asset_class: { equity: 100 },
  allocation_regions: us,
  allocation_sectors: { [sector]: 100 },
});

/** Instruments the offline analyst knows exactly: the seed set plus a few the original's tests used. */
export const KNOWN_INSTRUMENTS: Map<string, InstrumentInput> = new Map(
  (
    [
      ...SEED_INSTRUMENTS,
      {
        symbol: "VTI",
        name: "Vanguard Total Stock Market ETF",
        instrument_type: "etf",
        current_price: 245.1,
        allocation_asset_class: { equity: 100 },
        allocation_regions: us,
        allocation_sectors: {
          technology: 30,
          healthcare: 13,
          financials: 13,
          consumer_discretionary: 11,
          industrials: 10,
          communication: 8,
          consumer_staples: 6,
          energy: 4,
          real_estate: 3,
          utilities: 2,
        },
      },
      {
        symbol: "VXUS",
        name: "Vanguard Total International Stock ETF",
        instrument_type: "etf",
        current_price: 62.4,
        allocation_asset_class: { equity: 100 },
        allocation_regions: { europe: 40, asia: 40, latin_america: 5, oceania: 5, international: 10 },
        allocation_sectors: {
          financials: 21,
          industrials: 15,
          technology: 13,
          consumer_discretionary: 11,
          healthcare: 9,
          consumer_staples: 7,
          materials: 7,
          communication: 6,
          energy: 5,
          utilities: 3,
          real_estate: 3,
        },
      },
      {
        symbol: "ARKK",
        name: "ARK Innovation ETF",
        instrument_type: "etf",
        current_price: 48.2,
        allocation_asset_class: { equity: 100 },
        allocation_regions: us,
        allocation_sectors: {
          technology: 45,
          healthcare: 25,
          communication: 15,
          financials: 10,
          consumer_discretionary: 5,
        },
      },
      stock("AAPL", "Apple Inc.", 195.89, "technology"),
      stock("MSFT", "Microsoft Corporation", 430.82, "technology"),
      stock("NVDA", "NVIDIA Corporation", 522.74, "technology"),
      stock("GOOGL", "Alphabet Inc. Class A", 173.69, "communication"),
      stock("AMZN", "Amazon.com Inc.", 178.35, "consumer_discretionary"),
      stock("TSLA", "Tesla Inc.", 248.5, "consumer_discretionary"),
    ] satisfies InstrumentInput[]
  ).map((i) => [i.symbol, i]),
);

const BROAD_EQUITY_SECTORS = {
  technology: 30,
  healthcare: 13,
  financials: 13,
  consumer_discretionary: 10,
  industrials: 10,
  communication: 8,
  consumer_staples: 6,
  energy: 4,
  utilities: 3,
  real_estate: 3,
};
const AGGREGATE_BOND_SECTORS = { treasury: 40, corporate: 30, mortgage: 25, government_related: 5 };

const SECTOR_WORDS: [RegExp, string][] = [
  [/tech|software|semiconductor|internet|cyber|cloud|\bai\b/, "technology"],
  [/health|biotech|pharma|medical/, "healthcare"],
  [/financ|bank|insurance/, "financials"],
  [/energy|oil|gas/, "energy"],
  [/utilit/, "utilities"],
  [/staples/, "consumer_staples"],
  [/discretionary|retail|consumer/, "consumer_discretionary"],
  [/industrial|aerospace|defen[cs]e|transport/, "industrials"],
  [/material|mining|chemical/, "materials"],
  [/communication|media|telecom/, "communication"],
];

export interface DerivedClassification {
  instrument_type: InstrumentType;
  allocation_asset_class: Allocation;
  allocation_regions: Allocation;
  allocation_sectors: Allocation;
}

/** A classification read from an instrument's name and type — what a careful analyst infers without data. */
export function deriveClassification(instrument: Pick<Instrument, "name" | "instrument_type">): DerivedClassification {
  const name = instrument.name.toLowerCase();
  const type = instrument.instrument_type;
  const regions = regionFromName(name);
  if (/gold|silver|commodit|precious metal|bullion/.test(name) || type === "commodity") {
    return {
      instrument_type: type ?? "etf",
      allocation_asset_class: { commodities: 100 },
      allocation_regions: { global: 100 },
      allocation_sectors: { commodities: 100 },
    };
  }
  if (/\breit\b|real estate|property/.test(name) || type === "reit") {
    return {
      instrument_type: type ?? "reit",
      allocation_asset_class: { real_estate: 100 },
      allocation_regions: regions,
      allocation_sectors: { real_estate: 100 },
    };
  }
  if (
    /bond|treasury|fixed income|aggregate|corporate|municipal|t-bill|income fund/.test(name) ||
    type === "bond" ||
    type === "bond_fund"
  ) {
    return {
      instrument_type: type ?? "bond_fund",
      allocation_asset_class: { fixed_income: 100 },
      allocation_regions: regions,
      allocation_sectors: bondSectors(name),
    };
  }
  const sector = SECTOR_WORDS.find(([pattern]) => pattern.test(name))?.[1];
  const sectors = sector ? { [sector]: 100 } : type === "stock" ? { other: 100 } : BROAD_EQUITY_SECTORS;
  return {
    instrument_type: type ?? "etf",
    allocation_asset_class: { equity: 100 },
    allocation_regions: regions,
    allocation_sectors: sectors,
  };
}

function regionFromName(name: string): Allocation {
  if (/emerging/.test(name)) return { asia: 75, latin_america: 10, africa: 8, europe: 7 };
  if (/europe/.test(name)) return { europe: 100 };
  if (/japan|china|asia|pacific|india/.test(name)) return { asia: 100 };
  if (/developed|international|eafe|ex-us|ex us|foreign/.test(name)) return { europe: 60, asia: 35, oceania: 5 };
  if (/global|world|all-world|all world/.test(name)) return { north_america: 60, international: 40 };
  return { north_america: 100 };
}

function bondSectors(name: string): Allocation {
  if (/treasury|t-bill|government/.test(name)) return { treasury: 100 };
  if (/corporate|high yield|credit/.test(name)) return { corporate: 100 };
  if (/mortgage/.test(name)) return { mortgage: 100 };
  return AGGREGATE_BOND_SECTORS;
}
