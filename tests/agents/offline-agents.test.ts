import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawCharts } from "../../lib/agents/charter.js";
import type { AgentDeps } from "../../lib/agents/common.js";
import { planAnalysis } from "../../lib/agents/planner.js";
import { writeReport } from "../../lib/agents/reporter.js";
import { projectRetirement } from "../../lib/agents/retirement.js";
import { tagInstruments } from "../../lib/agents/tagger.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { getInstruments } from "../../lib/db/repositories/instruments.js";
import { claimJobListingUntagged, createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps, runningJob } from "../support/agents.js";
import { testDb } from "../support/db.js";

describe("the agents on the offline model, demo user", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  let jobId: string;
  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    deps = await offlineDeps(db);
    jobId = await runningJob(db, DEMO_USER_ID);
  });
  afterAll(() => db.close());

  it("tags the instrument that had no allocations", async () => {
    const result = await tagInstruments(deps, jobId);
    expect(result.tagged).toEqual(["VTI"]);
    expect(result.failed).toEqual([]);
    const vti = (await loadPortfolio(db, DEMO_USER_ID))!.accounts
      .flatMap((a) => a.positions)
      .find((p) => p.symbol === "VTI")!.instrument;
    expect(vti.allocation_asset_class).toEqual({ equity: 100 });
    expect(vti).toMatchObject({ current_price: 245.1, price_source: "user" });
    expect(await getInstruments(db, ["VTI"])).toEqual([]);
  });

  it("plans all three specialists and snapshots the portfolio", async () => {
    const plan = await planAnalysis(deps, jobId);
    expect(plan.specialists.map((s) => s.agent)).toEqual(["reporter", "charter", "retirement"]);
    expect(plan.usage.requests).toBe(1); // the plan is its tool calls: no closing text turn

    const job = await getJob(db, jobId);
    expect(job?.portfolio_snapshot?.accounts.map((a) => a.name)).toEqual(["401(k)", "Roth IRA", "Taxable Brokerage"]);
  });

  it("writes a report naming every account", async () => {
    const result = await writeReport(deps, jobId);
    const job = await getJob(db, jobId);
    const content = (job?.report_payload as { content: string }).content;
    expect(result.characters).toBe(content.length);
    for (const name of ["401(k)", "Roth IRA", "Taxable Brokerage"]) expect(content).toContain(name);
    // The demo's seed prices are from 2024: flagged beside the value, not shown as today's.
    expect(content).toMatch(
      /- Total value \$[\d,.]+ across 3 account\(s\) and \d+ holding\(s\) \(stale: prices as of 2024-01-02, [\d,]+ trading days before this valuation\)\./,
    );
    const recommendations =
      content
        .split("## Recommendations")[1]
        .split("## Market Context")[0]
        .match(/^\d+\. /gm) ?? [];
    expect(recommendations.length).toBeGreaterThanOrEqual(5);
    expect(recommendations.length).toBeLessThanOrEqual(7);
    expect(content.split("## Market Context")[1]).toContain("Market insights for SPY, QQQ, BND, VTI, VEA:");
    expect(result.usage.requests).toBe(2); // one reporter call (insights looked up in code), one reviewer call
    expect(job?.report_payload).toMatchObject({ agent: "reporter", model: "offline", market_context: "included" });
    expect(job?.report_payload).toMatchObject({
      review: { status: "reviewed", score: 100, issues: [], revised: false, model: "offline" },
    });
  });

  it("draws five charts whose allocation and account charts sum to the total", async () => {
    const result = await drawCharts(deps, jobId);
    expect(result.charts).toHaveLength(5);
    expect(result.usage.requests).toBe(1); // all five stored in one turn ends the run
    const charts = (await getJob(db, jobId))?.charts_payload as Record<string, { data: { value: number }[] }>;
    const total = (key: string) => Math.round(charts[key].data.reduce((s, p) => s + p.value, 0) * 100) / 100;
    const demoTotal = 99437.5 + 30 * 245.1; // the original's test user plus 30 VTI
    expect(total("asset_allocation")).toBe(demoTotal);
    expect(total("account_types")).toBe(demoTotal);
  });

  it("projects retirement from the job's own portfolio, reproducibly", async () => {
    const first = await projectRetirement(deps, jobId);
    const payload = (await getJob(db, jobId))?.retirement_payload as {
      analysis: string;
      model: string;
      monte_carlo: { success_rate: number; assumptions: { current_value: number; current_age: number; paths: number } };
      projections: { age: number }[];
    };
    expect(payload.model).toBe("offline");
    expect(payload.monte_carlo.assumptions).toMatchObject({
      current_value: 99437.5 + 30 * 245.1,
      current_age: 40,
      paths: 10_000,
    });
    expect(payload.projections.map((p) => p.age)).toEqual(Array.from({ length: 56 }, (_, i) => 40 + i));
    expect(payload.analysis).toContain(`${first.success_rate.toFixed(1)}%`);
    // VTI (added by the tagger, not seeded as reference data) takes its published expense ratio.
    expect(payload.analysis).not.toMatch(/expense ratio is not known|No expense ratio is known/);
    expect(payload.analysis).not.toContain("effective income tax"); // the demo gives its withdrawal tax rate
    expect(payload.analysis).toContain("## What It Takes");
    expect(payload.analysis).not.toMatch(/at average returns|sustains about/i);
    const again = await projectRetirement(deps, jobId);
    expect(again.success_rate).toBe(first.success_rate);
  });

  it("uses the Monte Carlo seed a job asks for", async () => {
    const seeded = await createJob(db, {
      clerk_user_id: DEMO_USER_ID,
      request_payload: { analysis_type: "portfolio", options: { seed: 7 } },
    });
    await claimJobListingUntagged(db, seeded, "execution-seeded");
    await planAnalysis(deps, seeded);
    await projectRetirement(deps, seeded);
    const payload = (await getJob(db, seeded))?.retirement_payload as {
      monte_carlo: { assumptions: { seed: number } };
    };
    expect(payload.monte_carlo.assumptions.seed).toBe(7);
  });
});
