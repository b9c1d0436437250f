import type { Db } from "../lib/db/driver.js";
import type { CommandArgs } from "./command.js";
import { progress } from "./io.js";
import { openCliDb } from "./open-db.js";

/** Runs `work` on the CLI's database (`--db DIR`, or Aurora with ALEX_DB=data-api) and closes it. */
export async function withCliDb<T>(args: CommandArgs, work: (db: Db) => Promise<T>): Promise<T> {
  const db = await openCliDb(args.config, { dir: args.values.db as string | undefined, onProgress: progress });
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}
