import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { type Holding, runJob, userWithJob } from "../support/pipeline.js";

/** The seed's integration scenarios (the original's test_multiple_accounts and test_scale), run locally. */
describe("integration scenarios", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
  });
  afterAll(() => db.close());

  it("one user with three accounts of different portfolios: the report names each, and there is an account chart", async () => {
    const jobId = await userWithJob(
      db,
      "multi",
      [
        [
          { symbol: "SPY", quantity: 100 },
          { symbol: "QQQ", quantity: 50 },
          { symbol: "BND", quantity: 200 },
        ],
        [
          { symbol: "VTI", quantity: 75, name: "Vanguard Total Stock Market ETF", price: 245.1 },
          { symbol: "VXUS", quantity: 50, name: "Vanguard Total International Stock ETF", price: 62.4 },
          { symbol: "GLD", quantity: 25 },
        ],
        [
          { symbol: "VEA", quantity: 150 },
          { symbol: "TSLA", quantity: 10, name: "Tesla Inc.", price: 248.5 },
          { symbol: "ARKK", quantity: 50, name: "ARK Innovation ETF", price: 48.2 },
          { symbol: "BND", quantity: 300 },
        ],
      ],
      { years_until_retirement: 25, target_retirement_income: 150_000 },
    );
    const { job } = await runJob(deps, { jobId });
    expect(job?.status).toBe("completed");
    const report = (job?.report_payload as { content: string }).content;
    for (const account of ["multi account 1", "multi account 2", "multi account 3"]) expect(report).toContain(account);
    const charts = job?.charts_payload as Record<string, { data: { name: string; value: number }[] }>;
    const accountChart = Object.entries(charts).find(([key]) => key.includes("account"));
    expect(accountChart?.[1].data.map((p) => p.name).sort()).toEqual(["401(k)", "Roth IRA", "Taxable"]);
    expect(job?.retirement_payload).not.toBeNull();
  });

  it("five users analysed concurrently: every job completes and nothing leaks between users", async () => {
    const pool = ["SPY", "BND", "VTI", "VXUS", "QQQ", "IWM", "EFA", "AGG", "VNQ", "GLD"];
    const shapes: [accounts: number, positions: number][] = [
      [1, 0],
      [1, 3],
      [2, 5],
      [3, 10],
      [2, 7],
    ];
    const users = await Promise.all(
      shapes.map(async ([accountCount, positionCount], n) => {
        const id = `scale-${n}`;
        const accounts: Holding[][] = Array.from({ length: accountCount }, () => []);
        for (let k = 0; k < positionCount; k++) {
          const symbol = pool[k % pool.length];
          accounts[k % accountCount].push({
            symbol,
            quantity: 10 * (k + 1),
            name: `Test ETF ${symbol}`,
            price: 100 + 50 * k,
          });
        }
        const jobId = await userWithJob(db, id, accounts, {
          years_until_retirement: 20 + 5 * n,
          target_retirement_income: 50_000 + 10_000 * n,
        });
        return { id, jobId, accountCount, positionCount };
      }),
    );
    const runs = await Promise.all(users.map((u) => runJob(deps, { jobId: u.jobId })));
    for (const [i, { job }] of runs.entries()) {
      const user = users[i];
      expect(job?.status).toBe("completed");
      const snapshot = job?.portfolio_snapshot as Portfolio;
      expect(snapshot.user.clerk_user_id).toBe(user.id);
      expect(snapshot.accounts).toHaveLength(user.accountCount);
      expect(snapshot.accounts.every((a) => a.name.startsWith(`${user.id} account`))).toBe(true);
      const everything = JSON.stringify([job?.report_payload, job?.charts_payload, job?.summary_payload]);
      for (const other of users.filter((u) => u.id !== user.id))
        expect(everything).not.toContain(`${other.id} account`);
      expect(job?.report_payload !== null).toBe(user.positionCount > 0);
    }
  });
});
