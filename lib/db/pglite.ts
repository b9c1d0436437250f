import { randomUUID } from "node:crypto";
import {
  closeSync,
  cpSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmdirSync,
  rmSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { messages, PGlite, type PGliteInterface, type Transaction } from "@electric-sql/pglite";
import { acquireDirectoryLock } from "./directory-lock.js";
import {
  type Db,
  DbError,
  isTypedParam,
  paramsInOrder,
  type QueryResult,
  type Row,
  type SqlParam,
  type SqlParams,
  timestampToIso,
  typedParamText,
} from "./driver.js";
import { pauseAtFaultPoint } from "./fault-point.js";
import { toPositional } from "./sql-text.js";

const OID = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, timestamptz: 1184 } as const;

/** Parsers that make PGlite return the same JS values as the Data API driver. */
const parsers = {
  [OID.int8]: (v: string) => Number(v),
  [OID.numeric]: (v: string) => Number(v),
  [OID.date]: (v: string) => v,
  [OID.timestamp]: (v: string) => timestampToIso(v),
  [OID.timestamptz]: (v: string) => timestampToIso(v),
};

type Queryable = Pick<PGliteInterface, "query"> | Transaction;

function toDriverValue(param: SqlParam): unknown {
  return isTypedParam(param) ? typedParamText(param) : param;
}

async function runQuery<T extends Row>(
  target: Queryable,
  sql: string,
  params: SqlParams = {},
): Promise<QueryResult<T>> {
  const { text, names } = toPositional(sql);
  const values = paramsInOrder(names, params).map(toDriverValue);
  try {
    const result = await target.query<T>(text, values, { parsers });
    const rowCount = result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
    return { rows: result.rows, rowCount };
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new DbError((error as Error).message, code, { cause: error });
  }
}

function transactionDb(tx: Transaction): Db {
  return {
    query: (sql, params) => runQuery(tx, sql, params),
    transaction: (work) => work(transactionDb(tx)),
    close: async () => {},
  };
}

/** The embedded PostgreSQL driver (PGlite, in-process WASM). */
export class PgliteDb implements Db {
  private constructor(
    readonly pg: PGlite,
    private readonly release: () => void = () => {},
  ) {}

  /** An in-memory database, optionally started from a dumped data directory (a migrated template). */
  static async memory(template?: Blob): Promise<PgliteDb> {
    const pg = await PGlite.create({ loadDataDir: template });
    await pg.exec("SET TIME ZONE 'UTC'");
    return new PgliteDb(pg);
  }

  /**
   * A database persisted in `dir`, locked so that no second process opens the same directory. A new
   * database starts from `template` (a dumped data directory, see lib/db/template.ts) when given.
   */
  static async open(dir: string, options: { template?: Blob } = {}): Promise<PgliteDb> {
    const absolute = resolve(dir);
    mkdirSync(dirname(absolute), { recursive: true });
    const release = acquireDirectoryLock(absolute);
    try {
      if (!options.template) refuseIncompleteDataDir(absolute);
      const pg = await PGlite.create({ dataDir: absolute, loadDataDir: options.template });
      await pg.exec("SET TIME ZONE 'UTC'");
      return new PgliteDb(pg, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * Creates the database in `dir` crash-safely: it is built (from `template`, then `prepare`d) in a
   * temporary sibling directory and renamed into place only when complete, so a kill at any moment
   * leaves either no database (the next run starts again) or a whole one. Leftovers of an interrupted
   * creation are removed. `dir` must not hold anything yet (an empty directory is fine).
   */
  static async create(
    dir: string,
    options: { template?: Blob; prepare?: (db: PgliteDb) => Promise<void> } = {},
  ): Promise<PgliteDb> {
    const absolute = resolve(dir);
    mkdirSync(dirname(absolute), { recursive: true });
    const release = acquireDirectoryLock(absolute);
    try {
      if (!isCompleteDataDir(absolute)) {
        refuseIncompleteDataDir(absolute);
        removeInterruptedCreations(absolute);
        const building = `${absolute}.creating-${randomUUID()}`;
        const pg = await PGlite.create({ dataDir: building, loadDataDir: options.template });
        try {
          pauseAtFaultPoint("db-initialised");
          await pg.exec("SET TIME ZONE 'UTC'");
          await options.prepare?.(new PgliteDb(pg));
        } finally {
          await pg.close();
        }
        pauseAtFaultPoint("db-built");
        moveIntoPlace(building, absolute);
        syncDirectory(dirname(absolute));
      }
      const pg = await PGlite.create({ dataDir: absolute });
      await pg.exec("SET TIME ZONE 'UTC'");
      return new PgliteDb(pg, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<QueryResult<T>> {
    return runQuery<T>(this.pg, sql, params);
  }

  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.pg
      .transaction((tx) => work(transactionDb(tx)))
      .catch((error: unknown) => {
        // BEGIN/COMMIT run by PGlite itself (e.g. a deferred constraint failing at COMMIT) fail with
        // PGlite's own error; give callers a DbError with the SQLSTATE, as every statement does.
        if (error instanceof messages.DatabaseError) throw new DbError(error.message, error.code, { cause: error });
        throw error;
      });
  }

  /** Runs a multi-statement script (used for migrations and seeds). */
  async exec(script: string): Promise<void> {
    await this.pg.exec(script);
  }

  /** The data directory as a tarball (after a checkpoint, so a copy starts without WAL replay). */
  async dump(): Promise<Blob> {
    await this.pg.exec("CHECKPOINT");
    return this.pg.dumpDataDir("none");
  }

  async close(): Promise<void> {
    try {
      if (!this.pg.closed) await this.pg.close();
    } finally {
      this.release();
    }
  }
}

/** The files without which PostgreSQL cannot start: a data directory holding them all is complete. */
const DATA_DIR_ESSENTIALS = ["PG_VERSION", "global/pg_control", "base", "pg_wal", "postgresql.conf"];

/** True when `dir` holds a whole data directory (as a finished creation leaves it). */
export function isCompleteDataDir(dir: string): boolean {
  return DATA_DIR_ESSENTIALS.every((entry) => existsSync(join(dir, entry)));
}

/**
 * Refuses a directory that holds something but not a whole database (e.g. a creation killed by an older
 * version, which built in place), with what to do, instead of PostgreSQL's "failed to initialize".
 */
function refuseIncompleteDataDir(dir: string): void {
  if (!existsSync(dir) || isCompleteDataDir(dir)) return;
  const entries = readdirSync(dir);
  if (entries.length === 0) return;
  const missing = DATA_DIR_ESSENTIALS.filter((entry) => !existsSync(join(dir, entry)));
  throw new DbError(
    `${dir} is not a complete database (it lacks ${missing.join(", ")}; its creation was probably interrupted). ` +
      `If it holds nothing you need, remove it (rm -rf "${dir}") and run the command again to create a new one; ` +
      "or pass --db DIR to use another directory.",
  );
}

/** Removes what interrupted creations of `dir` left (its lock is held: no creation of it is running). */
function removeInterruptedCreations(dir: string): void {
  const prefix = `${basename(dir)}.creating-`;
  for (const name of readdirSync(dirname(dir)).filter((n) => n.startsWith(prefix)))
    rmSync(join(dirname(dir), name), { recursive: true, force: true });
}

/**
 * Puts the built database at `dir` (absent, or empty: refuseIncompleteDataDir): a rename. Where `dir` is
 * a mount point (an empty volume or drive: rmdir says EBUSY, a rename onto it EXDEV), its entries are
 * copied in instead, PG_VERSION last, so a kill mid-copy leaves a directory refused with what to do.
 */
function moveIntoPlace(building: string, dir: string): void {
  try {
    if (existsSync(dir)) rmdirSync(dir); // rmdir refuses anything but an empty directory
    renameSync(building, dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EBUSY" && code !== "EXDEV") throw error;
  }
  mkdirSync(dir, { recursive: true });
  const entries = readdirSync(building).filter((entry) => entry !== "PG_VERSION");
  for (const entry of [...entries, "PG_VERSION"]) cpSync(join(building, entry), join(dir, entry), { recursive: true });
  rmSync(building, { recursive: true, force: true });
}

/** Makes a rename in `dir` durable (its entry written), where the platform allows syncing a directory. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Not every platform syncs a directory (Windows); the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
