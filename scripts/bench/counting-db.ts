import { countingDb as countedDb } from "../../lib/db/counting-db.js";
import type { Db } from "../../lib/db/driver.js";

/** What a {@link countingDb} saw since the last reset (definitions in lib/db/counting-db.ts). */
export interface DbCounts {
  /** `query` calls, inside transactions too: one Data API ExecuteStatement each. */
  statements: number;
  /** Transactions opened (each also costs a BEGIN and a COMMIT: two more Data API calls). */
  transactions: number;
  /** JSON length of the rows returned (what a Data API response carries, roughly). */
  bytesRead: number;
}

export interface CountingDb extends Db {
  /** Returns the counts so far and starts again from zero. */
  reset(): DbCounts;
}

/** The tests' statement counter (lib/db/counting-db.ts), read and reset per measured run. */
export function countingDb(inner: Db): CountingDb {
  const db = countedDb(inner);
  return {
    query: (sql, params) => db.query(sql, params),
    transaction: (work) => db.transaction(work),
    close: () => db.close(),
    reset() {
      const counts = {
        statements: db.counter.count,
        transactions: db.counter.transactions,
        bytesRead: db.counter.bytes,
      };
      db.counter.reset();
      return counts;
    },
  };
}
