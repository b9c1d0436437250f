import type { Db, QueryResult } from "../../lib/db/driver.js";

/** What a {@link countingDb} saw. */
export interface DbCounts {
  /** SQL statements sent (`query` calls, inside transactions too, and any other statement method a driver adds). */
  statements: number;
  /** Transactions opened (each also costs a BEGIN and a COMMIT on PGlite, or two Data API calls). */
  transactions: number;
  /** Bytes of the rows returned, as UTF-8 JSON text (what a Data API response would carry, roughly). */
  bytesRead: number;
}

export interface CountingDb extends Db {
  /** Returns the counts so far and starts again from zero. */
  reset(): DbCounts;
}

const NOT_STATEMENTS = new Set<PropertyKey>(["transaction", "close", "then"]);

/**
 * Wraps a {@link Db} and counts statements, transactions and the bytes of the rows they return. A Proxy, so a
 * method the `Db` interface gains later (a batch, say) is forwarded and counted as one statement.
 * (h13d writes lib/db/counting-db.ts for the tests; the two can be unified.)
 */
export function countingDb(inner: Db): CountingDb {
  let counts: DbCounts = { statements: 0, transactions: 0, bytesRead: 0 };
  const counted = (result: unknown) => {
    counts.statements += 1;
    const rows = (result as Partial<QueryResult> | undefined)?.rows;
    if (Array.isArray(rows)) counts.bytesRead += Buffer.byteLength(JSON.stringify(rows));
    return result;
  };
  const wrap = (db: Db): Db =>
    new Proxy(db, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (typeof value !== "function") return value;
        if (key === "transaction") {
          return (work: (tx: Db) => Promise<unknown>) => {
            counts.transactions += 1;
            return target.transaction((tx) => work(wrap(tx)));
          };
        }
        if (NOT_STATEMENTS.has(key)) return value.bind(target);
        return async (...args: unknown[]) => counted(await value.apply(target, args));
      },
    });
  const db = wrap(inner) as CountingDb;
  return new Proxy(db, {
    get(target, key, receiver) {
      if (key === "reset")
        return () => {
          const seen = counts;
          counts = { statements: 0, transactions: 0, bytesRead: 0 };
          return seen;
        };
      return Reflect.get(target, key, receiver);
    },
  });
}
