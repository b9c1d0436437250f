import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDefinition } from "../../console/run-job.js";
import { createConsoleApp } from "../../console/server.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { listJobs } from "../../lib/db/repositories/jobs.js";
import { offlineConfig } from "../support/agents.js";
import { testDb } from "../support/db.js";

describe("the console answers only its own pages, under its own name", () => {
  let db: PgliteDb;
  let app: ReturnType<typeof createConsoleApp>["app"];
  beforeAll(async () => {
    db = await testDb();
    ({ app } = createConsoleApp({ db, config: offlineConfig(), definition: localDefinition() }));
  });
  afterAll(() => db.close());

  const post = (origin: string, host = "127.0.0.1:4000") =>
    app.request(`http://${host}/analyze`, {
      method: "POST",
      headers: { origin, "content-type": "application/x-www-form-urlencoded" },
      body: "demo=1",
    });

  it("refuses a form posted from another site, and starts no job", async () => {
    expect((await post("https://evil.example")).status).toBe(403);
    expect(await listJobs(db, { limit: 10 })).toEqual([]);
  });

  it("refuses a request under a host name it is not bound to (DNS rebinding)", async () => {
    const response = await post("http://evil.example:4000", "evil.example:4000");
    expect(response.status).toBe(421);
    expect((await app.request("http://evil.example:4000/")).status).toBe(421);
  });

  it("serves its own pages on loopback", async () => {
    expect((await app.request("http://127.0.0.1:4000/")).status).toBe(200);
    expect((await app.request("http://localhost:4000/")).status).toBe(200);
  });
});
