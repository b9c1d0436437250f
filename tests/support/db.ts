import { readFileSync } from "node:fs";
import { inject } from "vitest";
import { PgliteDb } from "../../lib/db/pglite.js";

/** A fresh in-memory database with the schema and the 22 reference instruments (from the run's template). */
export async function testDb(): Promise<PgliteDb> {
  const bytes = readFileSync(inject("dbTemplatePath"));
  return PgliteDb.memory(new Blob([bytes]));
}
