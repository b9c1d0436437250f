import type { Allocation, Instrument } from "../../portfolio/types.js";
import { type Db, P } from "../driver.js";
import { readInPages } from "./documents.js";
import { type TraceSpan, withSpans } from "./traces.js";

/** A shared (trusted) instrument as the seed describes it; `current_price` goes to the price history. */
export type InstrumentInput = Pick<Instrument, "symbol" | "name"> &
  Partial<Pick<Instrument, "current_price" | "expense_ratio" | keyof Tagging>>;

/** An instrument the tagger must classify, and where its tagging is stored. */
export type UntaggedInstrument = Instrument & { scope: "shared" | "user" };

/** An instrument's classification: its type and its three allocations. */
export type Tagging = Pick<
  Instrument,
  "instrument_type" | "allocation_asset_class" | "allocation_regions" | "allocation_sectors"
>;

const INSTRUMENT_COLUMNS = `symbol, name, instrument_type, current_price,
  allocation_asset_class, allocation_regions, allocation_sectors, price_as_of, price_source`;

/**
 * Inserts or updates a shared instrument from a trusted source (the seed). Its price is not touched
 * here: prices go through the history (`recordPrices`). A missing allocation never erases a stored one.
 */
export async function upsertInstrument(db: Db, instrument: InstrumentInput): Promise<Instrument> {
  const { rows } = await db.query<Instrument & Record<string, unknown>>(
    `INSERT INTO instruments (symbol, name, instrument_type, allocation_asset_class, allocation_regions, allocation_sectors,
                              expense_ratio)
     VALUES (:symbol, :name, :instrument_type,
             COALESCE(:asset_class::jsonb, '{}'), COALESCE(:regions::jsonb, '{}'), COALESCE(:sectors::jsonb, '{}'),
             :expense_ratio::numeric)
     ON CONFLICT (symbol) DO UPDATE SET
       name = EXCLUDED.name,
       instrument_type = COALESCE(EXCLUDED.instrument_type, instruments.instrument_type),
       allocation_asset_class = COALESCE(:asset_class::jsonb, instruments.allocation_asset_class),
       allocation_regions = COALESCE(:regions::jsonb, instruments.allocation_regions),
       allocation_sectors = COALESCE(:sectors::jsonb, instruments.allocation_sectors),
       expense_ratio = COALESCE(EXCLUDED.expense_ratio, instruments.expense_ratio)
     RETURNING ${INSTRUMENT_COLUMNS}`,
    {
      symbol: instrument.symbol,
      name: instrument.name,
      instrument_type: instrument.instrument_type ?? null,
      asset_class: jsonOrNull(instrument.allocation_asset_class),
      regions: jsonOrNull(instrument.allocation_regions),
      sectors: jsonOrNull(instrument.allocation_sectors),
      expense_ratio: instrument.expense_ratio == null ? null : P.decimal(instrument.expense_ratio),
    },
  );
  return rows[0];
}

/** The shared instruments among `symbols` (the others are unknown to the reference data). */
export async function getInstruments(db: Db, symbols: string[]): Promise<Instrument[]> {
  if (symbols.length === 0) return [];
  const { rows } = await db.query<Instrument & Record<string, unknown>>(
    `SELECT ${INSTRUMENT_COLUMNS} FROM instruments
     WHERE symbol IN (SELECT jsonb_array_elements_text(:symbols::jsonb)) ORDER BY symbol`,
    { symbols: P.json(symbols) },
  );
  return rows;
}

/**
 * SQL for the symbols a user holds that the tagger must classify (as `findUntaggedInstrumentsOfJob` lists
 * them), the user given by an SQL expression; for composing into one statement. Shared instruments are tagged
 * from their trusted name for everyone; the user's own instruments only for that user.
 */
export const untaggedSymbolsSql = (userId: string) => `
  WITH held AS (
    SELECT DISTINCT p.symbol FROM positions p JOIN accounts a ON a.id = p.account_id WHERE a.clerk_user_id = ${userId}
  )
  SELECT i.symbol FROM instruments i JOIN held h ON h.symbol = i.symbol WHERE ${UNTAGGED("i")}
  UNION ALL
  SELECT u.symbol FROM user_instruments u JOIN held h ON h.symbol = u.symbol
  WHERE u.clerk_user_id = ${userId} AND ${UNTAGGED("u")} AND NOT EXISTS (SELECT 1 FROM instruments i WHERE i.symbol = u.symbol)`;

const UNTAGGED = (t: string) =>
  `(${t}.allocation_asset_class = '{}'::jsonb OR ${t}.allocation_regions = '{}'::jsonb OR ${t}.allocation_sectors = '{}'::jsonb)`;

/** Stores the tagger's classification of a user's own instrument, for that user only. */
export async function tagUserInstrument(db: Db, clerkUserId: string, symbol: string, tagging: Tagging): Promise<void> {
  await db.query(
    `UPDATE user_instruments SET instrument_type = COALESCE(instrument_type, :instrument_type),
       allocation_asset_class = :asset_class::jsonb, allocation_regions = :regions::jsonb, allocation_sectors = :sectors::jsonb
     WHERE clerk_user_id = :user_id AND symbol = :symbol`,
    { user_id: clerkUserId, symbol, ...taggingParams(tagging) },
  );
}

/**
 * The job owner's holdings that still lack an allocation (shared instruments and, for symbols the reference
 * data lacks, the owner's own ones; the owner is read from the job row), in as few statements as the Data
 * API's 1 MiB per response allows (one up to ~3,000 holdings).
 */
export async function findUntaggedInstrumentsOfJob(db: Db, jobId: string): Promise<UntaggedInstrument[]> {
  return readInPages<UntaggedInstrument & Record<string, unknown>>(db, {
    rowsSql: `WITH owner AS (SELECT clerk_user_id FROM jobs WHERE id = :job_id::uuid),
     held AS (
       SELECT DISTINCT p.symbol FROM positions p JOIN accounts a ON a.id = p.account_id JOIN owner o USING (clerk_user_id)
     )
     SELECT i.symbol, i.name, i.instrument_type, i.current_price, i.price_as_of, i.price_source, 'shared' AS scope
     FROM instruments i JOIN held h ON h.symbol = i.symbol WHERE ${UNTAGGED("i")}
     UNION ALL
     SELECT u.symbol, u.name, u.instrument_type, u.price, u.price_as_of,
            CASE WHEN u.price IS NULL THEN NULL ELSE 'user' END, 'user'
     FROM user_instruments u JOIN held h ON h.symbol = u.symbol JOIN owner o USING (clerk_user_id)
     WHERE ${UNTAGGED("u")} AND NOT EXISTS (SELECT 1 FROM instruments i WHERE i.symbol = u.symbol)`,
    orderBy: "symbol",
    params: { job_id: P.uuid(jobId) },
    framingBytes: 8 * 26,
  }).then((rows) =>
    rows.map(({ seq: _seq, total: _total, running: _running, ...row }) => ({
      ...(row as unknown as UntaggedInstrument),
      allocation_asset_class: {},
      allocation_regions: {},
      allocation_sectors: {},
    })),
  );
}

/** One instrument's classification and where it is stored (shared for everyone, or the owner's own). */
export type InstrumentTagging = Tagging & { symbol: string; scope: UntaggedInstrument["scope"] };

/** What a tagger attempt records on its job (`summary_payload.tagging`): symbols stay in the database, not the state. */
export interface TaggingRecord {
  /** Untagged holdings when the job started (the first attempt's count is kept). */
  requested: number;
  /** Symbols this attempt classified (added to those of earlier attempts). */
  tagged: string[];
  /** This attempt's failures (replacing an earlier attempt's: those symbols were tried again). */
  failed: { symbol: string; error: string }[];
}

/**
 * Stores the tagger's classifications and records the attempt in the job's summary, in one statement whatever
 * their number: shared instruments (classified from their trusted name) for everyone, a user's own instruments
 * for the job's owner only. Returns how many instrument rows it changed.
 */
export async function tagInstrumentsOfJob(
  db: Db,
  jobId: string,
  taggings: InstrumentTagging[],
  record: TaggingRecord,
  spans: TraceSpan[] = [],
): Promise<number> {
  const stored = withSpans(
    spans,
    `t AS (
       SELECT * FROM jsonb_to_recordset(:taggings::jsonb) AS r(
         symbol TEXT, scope TEXT, instrument_type TEXT, allocation_asset_class JSONB, allocation_regions JSONB,
         allocation_sectors JSONB)
     ),
     shared AS (
       UPDATE instruments i SET instrument_type = COALESCE(i.instrument_type, t.instrument_type),
         allocation_asset_class = t.allocation_asset_class, allocation_regions = t.allocation_regions,
         allocation_sectors = t.allocation_sectors
       FROM t WHERE t.scope = 'shared' AND i.symbol = t.symbol
       RETURNING i.symbol
     ),
     own AS (
       UPDATE user_instruments u SET instrument_type = COALESCE(u.instrument_type, t.instrument_type),
         allocation_asset_class = t.allocation_asset_class, allocation_regions = t.allocation_regions,
         allocation_sectors = t.allocation_sectors
       FROM t WHERE t.scope = 'user' AND u.symbol = t.symbol
         AND u.clerk_user_id = (SELECT clerk_user_id FROM jobs WHERE id = :job_id::uuid)
       RETURNING u.symbol
     ),
     recorded AS (
       UPDATE jobs SET summary_payload = COALESCE(summary_payload, '{}'::jsonb) || jsonb_build_object('tagging',
         jsonb_build_object(
           'requested', COALESCE(summary_payload->'tagging'->'requested', to_jsonb(:requested::int)),
           'tagged', COALESCE(summary_payload->'tagging'->'tagged', '[]'::jsonb) || :tagged::jsonb,
           'failed', :failed::jsonb))
       WHERE id = :job_id::uuid AND status = 'running'
       RETURNING id
     )`,
  );
  const { rows } = await db.query<{ changed: number }>(
    `${stored.sql} SELECT (SELECT COUNT(*) FROM shared) + (SELECT COUNT(*) FROM own) AS changed`,
    {
      ...stored.params,
      job_id: P.uuid(jobId),
      taggings: P.json(taggings),
      requested: record.requested,
      tagged: P.json(record.tagged),
      failed: P.json(record.failed),
    },
  );
  return Number(rows[0]?.changed ?? 0);
}

function taggingParams(tagging: Tagging) {
  return {
    instrument_type: tagging.instrument_type,
    asset_class: P.json(tagging.allocation_asset_class),
    regions: P.json(tagging.allocation_regions),
    sectors: P.json(tagging.allocation_sectors),
  };
}

function jsonOrNull(allocation: Allocation | undefined) {
  return allocation === undefined ? null : P.json(allocation);
}
