import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SPECIALIST_PLANS, TEAM, team } from "../../lib/agents/specialists.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { FUNCTIONS, handlerFile } from "../../lib/infra/functions.js";
import { STATE } from "../../lib/pipeline/states.js";
import { SPECIALIST_ROSTER, SPECIALISTS } from "../../lib/roster.js";
import { TASK_FUNCTIONS } from "../../state-machine/local-executor.js";
import { testDb } from "../support/db.js";

// What the compiler cannot check of a specialist's registry row (lib/roster.ts): its handler file, its payload
// column's migration, names that must not collide.

describe("the specialist roster", () => {
  it.each(SPECIALISTS)("binds %s to its own handler file, the one the local executor runs", async (name) => {
    const row = SPECIALIST_ROSTER[name];
    const file = handlerFile(row.lambda);
    expect(file).toBe(`functions/${name}.ts`);
    expect(existsSync(file)).toBe(true);
    const module = (await import(/* @vite-ignore */ pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
    expect(typeof module.handler).toBe("function");
    expect(module[name]).toBe(TASK_FUNCTIONS[name]);
    expect(FUNCTIONS[name]).toMatchObject({
      resource: row.lambda.resource,
      handler: row.lambda.handler,
      bedrock: true,
    });
  });

  it("names every state and function once", () => {
    const states = SPECIALISTS.map((name) => SPECIALIST_ROSTER[name].state);
    expect(new Set([...states, ...Object.values(STATE)]).size).toBe(states.length + Object.values(STATE).length);
    const resources = Object.values(FUNCTIONS).map((f) => f.resource);
    expect(new Set(resources).size).toBe(resources.length);
  });

  it("is the registry team: every row with its planner part, and no part without a row", () => {
    expect(Object.keys(TEAM.plans)).toEqual(SPECIALISTS);
    expect(() => team({}, SPECIALIST_PLANS)).toThrow("reporter, charter, retirement");
  });

  describe("payload columns", () => {
    let db: PgliteDb;
    beforeAll(async () => {
      db = await testDb();
    });
    afterAll(() => db.close());

    it("each exists in the migrated jobs table as jsonb", async () => {
      const { rows } = await db.query<{ column_name: string; data_type: string }>(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'jobs'",
      );
      const columns = new Map(rows.map((r) => [r.column_name, r.data_type]));
      for (const name of SPECIALISTS) {
        const column = SPECIALIST_ROSTER[name].payloadColumn;
        if (column) expect(columns.get(column), `${name}: jobs.${column}`).toBe("jsonb");
      }
    });
  });
});
