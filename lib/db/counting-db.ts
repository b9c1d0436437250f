import type { Db, QueryResult, Row, SqlParams } from "./driver.js";

/** One statement sent through a counted `Db`: its SQL, the rows it returned and their size. */
export interface CountedStatement {
  sql: string;
  rows: number;
  /** `JSON.stringify(rows).length` of what came back: a driver-independent proxy for bytes read. */
  bytes: number;
  inTransaction: boolean;
}

/** What a counted `Db` saw. A "statement" is one `query` call, inside a transaction or not. */
export interface DbCounter {
  statements: CountedStatement[];
  /** Transactions opened (BEGIN/COMMIT are not statements here; the Data API sends them as two calls each). */
  transactions: number;
  readonly count: number;
  readonly bytes: number;
  reset(): void;
}

function newDbCounter(): DbCounter {
  return {
    statements: [],
    transactions: 0,
    get count() {
      return this.statements.length;
    },
    get bytes() {
      return this.statements.reduce((sum, s) => sum + s.bytes, 0);
    },
    reset() {
      this.statements = [];
      this.transactions = 0;
    },
  };
}

/**
 * Wraps a `Db` so that every statement (a `query`, also within a transaction) is recorded with the size
 * of the rows it returned. Used by the statement-count tests and the benchmark; the driver is untouched.
 */
export function countingDb(
  db: Db,
  counter: DbCounter = newDbCounter(),
  inTransaction = false,
): Db & { counter: DbCounter } {
  return {
    counter,
    async query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<QueryResult<T>> {
      const result = await db.query<T>(sql, params);
      const bytes = result.rows.length > 0 ? JSON.stringify(result.rows, blobsAsBase64).length : 0;
      counter.statements.push({ sql, rows: result.rows.length, bytes, inTransaction });
      return result;
    },
    transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
      if (!inTransaction) counter.transactions += 1;
      return db.transaction((tx) => work(countingDb(tx, counter, true)));
    },
    close: () => db.close(),
  };
}

/** A blob (bytea) counts as the base64 text a Data API response carries, not as a JSON object of its bytes. */
function blobsAsBase64(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if ((value as { type?: string } | null)?.type === "Buffer")
    return Buffer.from((value as { data: number[] }).data).toString("base64");
  return value;
}
