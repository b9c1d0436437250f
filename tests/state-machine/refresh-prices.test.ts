import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { STATE } from "../../state-machine/definition.js";
import { FakePolygon, groupedDaily } from "../market/fake-polygon.js";
import { offlineConfig, offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, statesEntered, userWithJob } from "../support/pipeline.js";

const fake = new FakePolygon();
let baseUrl: string;
let db: PgliteDb;

const depsWithKey = (target: PgliteDb): Promise<AgentDeps> =>
  offlineDeps(target, { config: offlineConfig({ POLYGON_API_KEY: "sm-test-key", POLYGON_BASE_URL: baseUrl }) });

type Summary = {
  prices: { refresh: Record<string, unknown>; used: { as_of: string | null; source: string | null; stale: unknown[] } };
};

beforeAll(async () => {
  baseUrl = await fake.start();
  db = await testDb();
});
afterAll(async () => {
  await fake.stop();
  await db.close();
});

describe("the Refresh prices state", () => {
  it("runs at the start of a job, and the job values the portfolio at the market close it recorded", async () => {
    fake.answer = (url) => {
      const date = /stocks\/([\d-]+)/.exec(url)![1];
      return { status: 200, body: groupedDaily(date, [["SPY", 610]]) };
    };
    const jobId = await userWithJob(db, "sm-run", [
      [
        { symbol: "SPY", quantity: 10 },
        { symbol: "BND", quantity: 10 },
      ],
    ]);
    const { execution, job } = await runJob(await depsWithKey(db), { jobId });
    expect(job?.status).toBe("completed");
    const entered = statesEntered(execution);
    expect(entered.indexOf(STATE.refreshPrices)).toBe(entered.indexOf(STATE.jobClaimed) + 1);
    const summary = job!.summary_payload as Summary;
    expect(summary.prices.refresh).toMatchObject({ status: "refreshed" });
    expect(summary.prices.used).toMatchObject({ source: "market", stale: [{ symbol: "BND", as_of: "2024-01-02" }] });
    const spy = job!.portfolio_snapshot!.accounts[0].positions.find((p) => p.symbol === "SPY")!.instrument;
    expect(spy).toMatchObject({ current_price: 610, price_source: "market" });
    expect(fake.requests).toHaveLength(1);
  });

  it("is skipped when the prices are fresh: no call to the provider", async () => {
    const jobId = await userWithJob(db, "sm-fresh", [[{ symbol: "SPY", quantity: 1 }]]);
    const { job } = await runJob(await depsWithKey(db), { jobId });
    expect(job?.status).toBe("completed");
    expect((job!.summary_payload as Summary).prices.refresh).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining("fresher than 20 h"),
    });
    expect(fake.requests).toHaveLength(1);
  });

  it("fails, is caught and recorded, and the job completes on the last known prices and says so", {
    timeout: 120_000,
  }, async () => {
    const fresh = await testDb();
    try {
      fake.answer = () => ({ status: 401, body: { status: "ERROR", error: "Unknown API Key" } });
      const jobId = await userWithJob(fresh, "sm-fail", [[{ symbol: "SPY", quantity: 1 }]]);
      const { execution, job } = await runJob(await depsWithKey(fresh), { jobId });
      expect(statesEntered(execution)).toContain(STATE.refreshPrices);
      expect(job?.status).toBe("completed");
      const summary = job!.summary_payload as Summary;
      expect(summary.prices.refresh).toMatchObject({
        status: "failed",
        error: expect.stringContaining("MarketDataAuthError"),
      });
      expect(summary.prices.used).toMatchObject({ as_of: "2024-01-02", source: "seed" });
      const market = await fresh.query("SELECT count(*)::int AS n FROM prices WHERE source = 'market'");
      expect(market.rows[0].n).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});
