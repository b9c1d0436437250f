import type { Db, QueryResult, Row, SqlParams } from "../../lib/db/driver.js";

/** What a {@link CountingDb} saw. */
export interface DbCounts {
  /** SQL statements sent (`query` calls, inside transactions too). */
  statements: number;
  /** Transactions opened (each also costs a BEGIN and a COMMIT on PGlite, or two Data API calls). */
  transactions: number;
  /** Bytes of the rows returned, as UTF-8 JSON text (what a Data API response would carry, roughly). */
  bytesRead: number;
}

/**
 * Wraps a {@link Db} and counts statements, transactions and the bytes of the rows they return.
 * (h13d writes lib/db/counting-db.ts for the tests; the two can be unified.)
 */
export class CountingDb implements Db {
  counts: DbCounts = { statements: 0, transactions: 0, bytesRead: 0 };

  constructor(private readonly inner: Db) {}

  reset(): DbCounts {
    const counts = this.counts;
    this.counts = { statements: 0, transactions: 0, bytesRead: 0 };
    return counts;
  }

  async query<T extends Row = Row>(sql: string, params?: SqlParams): Promise<QueryResult<T>> {
    return this.counted(await this.inner.query<T>(sql, params));
  }

  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    this.counts.transactions += 1;
    return this.inner.transaction((tx) => work(this.child(tx)));
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** A transaction's handle, counted into the same totals. */
  private child(tx: Db): Db {
    return {
      query: async <T extends Row = Row>(sql: string, params?: SqlParams) =>
        this.counted(await tx.query<T>(sql, params)),
      transaction: <T>(work: (inner: Db) => Promise<T>) => {
        this.counts.transactions += 1;
        return tx.transaction((inner) => work(this.child(inner)));
      },
      close: () => tx.close(),
    };
  }

  private counted<T extends Row>(result: QueryResult<T>): QueryResult<T> {
    this.counts.statements += 1;
    this.counts.bytesRead += Buffer.byteLength(JSON.stringify(result.rows));
    return result;
  }
}
