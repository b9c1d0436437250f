import { type Db, P } from "../driver.js";
import type { Allocation, Instrument, InstrumentType } from "../../portfolio/types.js";

export interface InstrumentInput {
  symbol: string;
  name: string;
  instrument_type?: InstrumentType | null;
  current_price?: number | null;
  allocation_asset_class?: Allocation;
  allocation_regions?: Allocation;
  allocation_sectors?: Allocation;
  /** Yearly expense ratio as a fraction; absent keeps the stored one. */
  expense_ratio?: number | null;
}

const INSTRUMENT_COLUMNS = `symbol, name, instrument_type, current_price,
  allocation_asset_class, allocation_regions, allocation_sectors`;

/**
 * Inserts or updates an instrument, price included (the original dropped it). A missing price or
 * allocation never erases the one already stored.
 */
export async function upsertInstrument(db: Db, instrument: InstrumentInput): Promise<Instrument> {
  const { rows } = await db.query<Instrument & Record<string, unknown>>(
    `INSERT INTO instruments (${INSTRUMENT_COLUMNS}, expense_ratio)
     VALUES (:symbol, :name, :instrument_type, :current_price::numeric,
             COALESCE(:asset_class::jsonb, '{}'), COALESCE(:regions::jsonb, '{}'), COALESCE(:sectors::jsonb, '{}'),
             :expense_ratio::numeric)
     ON CONFLICT (symbol) DO UPDATE SET
       name = EXCLUDED.name,
       instrument_type = COALESCE(EXCLUDED.instrument_type, instruments.instrument_type),
       current_price = COALESCE(EXCLUDED.current_price, instruments.current_price),
       allocation_asset_class = COALESCE(:asset_class::jsonb, instruments.allocation_asset_class),
       allocation_regions = COALESCE(:regions::jsonb, instruments.allocation_regions),
       allocation_sectors = COALESCE(:sectors::jsonb, instruments.allocation_sectors),
       expense_ratio = COALESCE(EXCLUDED.expense_ratio, instruments.expense_ratio)
     RETURNING ${INSTRUMENT_COLUMNS}`,
    {
      symbol: instrument.symbol,
      name: instrument.name,
      instrument_type: instrument.instrument_type ?? null,
      current_price: instrument.current_price == null ? null : P.decimal(instrument.current_price),
      asset_class: jsonOrNull(instrument.allocation_asset_class),
      regions: jsonOrNull(instrument.allocation_regions),
      sectors: jsonOrNull(instrument.allocation_sectors),
      expense_ratio: instrument.expense_ratio == null ? null : P.decimal(instrument.expense_ratio),
    },
  );
  return rows[0];
}

/** Adds instruments that do not exist yet; existing ones keep their name, price and allocations. */
export async function insertInstrumentIfMissing(db: Db, instrument: InstrumentInput): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO instruments (symbol, name, instrument_type, current_price)
     VALUES (:symbol, :name, :instrument_type, :current_price::numeric)
     ON CONFLICT (symbol) DO NOTHING`,
    {
      symbol: instrument.symbol,
      name: instrument.name,
      instrument_type: instrument.instrument_type ?? null,
      current_price: instrument.current_price == null ? null : P.decimal(instrument.current_price),
    },
  );
  return rowCount > 0;
}

export async function getInstruments(db: Db, symbols: string[]): Promise<Instrument[]> {
  if (symbols.length === 0) return [];
  const { rows } = await db.query<Instrument & Record<string, unknown>>(
    `SELECT ${INSTRUMENT_COLUMNS} FROM instruments
     WHERE symbol IN (SELECT jsonb_array_elements_text(:symbols::jsonb)) ORDER BY symbol`,
    { symbols: P.json(symbols) },
  );
  return rows;
}

export async function listInstruments(db: Db): Promise<Instrument[]> {
  const { rows } = await db.query<Instrument & Record<string, unknown>>(
    `SELECT ${INSTRUMENT_COLUMNS} FROM instruments ORDER BY symbol`,
  );
  return rows;
}

/** Instruments a user holds that lack any allocation: the tagger's work for a job. */
export async function findUntaggedInstrumentsOfUser(db: Db, clerkUserId: string): Promise<Instrument[]> {
  const { rows } = await db.query<Instrument & Record<string, unknown>>(
    `SELECT DISTINCT ${INSTRUMENT_COLUMNS.split(",").map((c) => `i.${c.trim()}`).join(", ")}
     FROM instruments i
     JOIN positions p ON p.symbol = i.symbol
     JOIN accounts a ON a.id = p.account_id
     WHERE a.clerk_user_id = :user_id
       AND (i.allocation_asset_class = '{}'::jsonb OR i.allocation_regions = '{}'::jsonb
            OR i.allocation_sectors = '{}'::jsonb)
     ORDER BY i.symbol`,
    { user_id: clerkUserId },
  );
  return rows;
}

function jsonOrNull(allocation: Allocation | undefined) {
  return allocation === undefined ? null : P.json(allocation);
}
