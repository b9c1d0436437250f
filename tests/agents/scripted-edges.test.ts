import { MaxTurnsExceededError, type Model } from "@openai/agents";
import { assistantMessage, functionCall, modelError, ScriptedModel } from "@openai/agents/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drawCharts } from "../../lib/agents/charter.js";
import { type AgentDeps, AgentInputError, type AgentName } from "../../lib/agents/common.js";
import { taggerPolicy } from "../../lib/agents/offline/tagger.js";
import { planAnalysis, runPlanner } from "../../lib/agents/planner.js";
import { writeReport } from "../../lib/agents/reporter.js";
import { tagInstruments } from "../../lib/agents/tagger.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { getInstruments } from "../../lib/db/repositories/instruments.js";
import { createJob, failJob, getJob } from "../../lib/db/repositories/jobs.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { ThrottledError } from "../../lib/models/retry.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps, runningJob } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { GOOD_CHART, toolOutputsSeen } from "../support/scripted.js";

describe("agent edges with the SDK's scripted model", () => {
  let db: PgliteDb;
  let base: AgentDeps;
  const withModel = (agent: AgentName, model: Model): AgentDeps => ({
    ...base,
    modelFor: (a) => (a === agent ? model : undefined),
  });
  const ownInstrument = async (user: string, symbol: string) =>
    (await loadPortfolio(db, user))!.accounts.flatMap((a) => a.positions).find((p) => p.symbol === symbol)!.instrument;

  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    base = await offlineDeps(db);
  });
  afterAll(() => db.close());

  it("planner: a turn whose calls all scheduled ends the run; one that keeps failing runs out of turns", async () => {
    const portfolio = (await loadPortfolio(db, DEMO_USER_ID))!;
    const once = new ScriptedModel([
      [
        functionCall("run_reporter", { reason: "six positions" }, { callId: "r" }),
        functionCall("run_charter", { reason: "three accounts" }, { callId: "c" }),
        functionCall("run_retirement", { reason: "goals set" }, { callId: "t" }),
      ],
    ]);
    const plan = await runPlanner(withModel("planner", once), "00000000-0000-4000-8000-000000000000", portfolio);
    expect(plan.decision.source).toBe("model");
    expect(plan.usage.requests).toBe(1);
    once.assertComplete();
    const looping = Array.from({ length: 6 }, (_, i) => [
      functionCall("run_reporter", { reason: 42 }, { callId: `r${i}` }),
    ]);
    const jobId = await runningJob(db, DEMO_USER_ID);
    await expect(planAnalysis(withModel("planner", new ScriptedModel(looping)), jobId)).rejects.toBeInstanceOf(
      MaxTurnsExceededError,
    );
  });

  it("charter: never stores more than six charts, even when a turn asks for more at once", async () => {
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    const calls = Array.from({ length: 9 }, (_, i) =>
      functionCall("create_chart", { ...GOOD_CHART, key: `chart_${i}` }, { callId: `c${i}` }),
    );
    const model = new ScriptedModel([calls, [assistantMessage("done")]]);
    const result = await drawCharts(withModel("charter", model), jobId);
    expect(result.charts).toHaveLength(6);
    expect(Object.keys((await getJob(db, jobId))?.charts_payload ?? {}).sort()).toEqual([...result.charts].sort());
    expect(toolOutputsSeen(model).filter((o) => o.includes("Rejected: 6 charts already exist"))).toHaveLength(3);
  });

  it("charter: an attempt that fails after making charts publishes none of them", async () => {
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    const model = new ScriptedModel(
      [
        [functionCall("create_chart", GOOD_CHART, { callId: "c1" })],
        async () => {
          throw new Error("model connection reset");
        },
      ].map((step) => (typeof step === "function" ? { type: "responder" as const, respond: step } : step)) as never,
    );
    await expect(drawCharts(withModel("charter", model), jobId)).rejects.toThrow("model connection reset");
    expect((await getJob(db, jobId))?.charts_payload).toBeNull();
  });

  it("charter: a job that stopped running gets no charts, and a run with no chart fails", async () => {
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    const model = new ScriptedModel(
      [
        async () => {
          await failJob(db, jobId, "cancelled by a test");
          return [functionCall("create_chart", GOOD_CHART, { callId: "c1" })];
        },
        [assistantMessage("gave up")],
        [assistantMessage("still nothing")],
      ].map((step) => (typeof step === "function" ? { type: "responder" as const, respond: step } : step)) as never,
    );
    await expect(drawCharts(withModel("charter", model), jobId)).rejects.toThrow("is not running; nothing was written");
    expect((await getJob(db, jobId))?.charts_payload).toBeNull();
    const empty = new ScriptedModel([[assistantMessage("no charts today")], [assistantMessage("still none")]]);
    const other = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, other);
    await expect(drawCharts(withModel("charter", empty), other)).rejects.toThrow("without storing a chart");
  });

  it("tagger: an allocation that does not sum to 100 fails that symbol only", async () => {
    const jobId = await runningJob(db, DEMO_USER_ID);
    const zeros = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
    const answer = {
      symbol: "VTI",
      name: "Vanguard Total Stock Market ETF",
      instrument_type: "etf",
      current_price: 250,
      allocation_asset_class: {
        ...zeros(["equity", "fixed_income", "real_estate", "commodities", "cash", "alternatives"]),
        equity: 90,
      },
      allocation_regions: {
        ...zeros([
          "north_america",
          "europe",
          "asia",
          "latin_america",
          "africa",
          "middle_east",
          "oceania",
          "global",
          "international",
        ]),
        north_america: 100,
      },
      allocation_sectors: {
        ...zeros([
          "technology",
          "healthcare",
          "financials",
          "consumer_discretionary",
          "consumer_staples",
          "industrials",
          "energy",
          "materials",
          "utilities",
          "real_estate",
          "communication",
          "treasury",
          "corporate",
          "mortgage",
          "government_related",
          "commodities",
          "diversified",
          "other",
        ]),
        technology: 100,
      },
      basis: "scripted",
    };
    const result = await tagInstruments(
      withModel("tagger", new ScriptedModel([[assistantMessage(JSON.stringify(answer))]])),
      jobId,
    );
    expect(result.tagged).toEqual([]);
    expect(result.failed).toEqual([
      { symbol: "VTI", error: "AllocationSumError: VTI: allocation_asset_class sums to 90, not 100" },
    ]);
    expect(await ownInstrument(DEMO_USER_ID, "VTI")).toMatchObject({ allocation_asset_class: {} });
  });

  it("tagger: the model's price estimate is never stored; the user's own price values their holding", async () => {
    await importPortfolio(
      db,
      parsePortfolioFile({
        user: { id: "priced", display_name: "Priced" },
        accounts: [
          {
            name: "Brokerage",
            type: "taxable",
            positions: [{ symbol: "ZZPRICED", quantity: 1, name: "Priced Technology Fund", price: 12.34 }],
          },
        ],
      }),
    );
    const jobId = await runningJob(db, "priced");
    const answer = JSON.parse(
      (
        taggerPolicy({
          symbol: "ZZPRICED",
          name: "Priced Technology Fund",
          instrument_type: null,
          current_price: null,
          allocation_asset_class: {},
          allocation_regions: {},
          allocation_sectors: {},
        })({} as never) as { final: string }
      ).final,
    );
    const model = new ScriptedModel([[assistantMessage(JSON.stringify({ ...answer, current_price: 999 }))]]);
    const result = await tagInstruments(withModel("tagger", model), jobId);
    expect(result.tagged).toEqual(["ZZPRICED"]);
    expect(await ownInstrument("priced", "ZZPRICED")).toMatchObject({
      current_price: 12.34,
      price_source: "user",
      allocation_sectors: { technology: 100 },
    });
    expect(await getInstruments(db, ["ZZPRICED"])).toEqual([]);
  });

  it("tagger: a model that stayed throttled fails the task (for Step Functions to retry), not just the symbol", async () => {
    const jobId = await runningJob(db, DEMO_USER_ID);
    const model = new ScriptedModel([
      modelError(new ThrottledError("still throttled", { cause: new Error("429"), attempts: 5 })),
    ]);
    await expect(tagInstruments(withModel("tagger", model), jobId)).rejects.toBeInstanceOf(ThrottledError);
  });

  it("reporter: a failing knowledge base is reported to the model in its one call and the report is still written", async () => {
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    const knowledge = {
      marketInsights: async () => {
        throw new Error("SageMaker endpoint unavailable");
      },
    } as never;
    const model = new ScriptedModel([[assistantMessage("## Executive Summary\nA short report about 401(k).")]]);
    await writeReport({ ...withModel("reporter", model), knowledge }, jobId);
    expect(JSON.stringify(model.lastCall?.request.input)).toContain("The market insights lookup was unavailable");
    expect(JSON.stringify(model.lastCall?.request.input)).not.toContain("SageMaker");
    model.assertComplete();
    const payload = (await getJob(db, jobId))?.report_payload as Record<string, string>;
    expect(payload.content).toContain("## Accounts Not Covered Above");
    expect(payload.content).toContain("Taxable Brokerage");
    expect(payload.market_context).toBe("missing");
    expect(payload.market_context_reason).toBe("the market insights lookup failed: SageMaker endpoint unavailable");
    expect(payload.content).toMatch(/Market context missing:.*no market insights for your holdings\.\n$/);
    expect(payload.content).not.toContain("SageMaker");
  });

  it("reporter (offline): a failing knowledge base's error text stays out of the report, its link and account too", async () => {
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    const message =
      "Received server error (500) from primary. See https://us-east-1.console.aws.amazon.com/cloudwatch/home in account 123456789012";
    const knowledge = {
      marketInsights: async () => {
        throw new Error(message);
      },
    } as never;
    await writeReport({ ...base, knowledge }, jobId);
    const payload = (await getJob(db, jobId))?.report_payload as Record<string, string>;
    expect(payload.market_context_reason).toBe(`the market insights lookup failed: ${message}`);
    expect(payload.content).toContain("## Market Context\n\nThe market insights lookup was unavailable");
    expect(payload.content).not.toContain("123456789012");
    expect(payload.content).not.toContain("console.aws.amazon.com");
  });

  it("fails clearly on bad input: unknown job, missing snapshot", async () => {
    await expect(writeReport(base, "00000000-0000-4000-8000-000000000000")).rejects.toThrow(AgentInputError);
    const fresh = await createJob(db, { clerk_user_id: DEMO_USER_ID });
    await expect(drawCharts(base, fresh)).rejects.toThrow(`Job ${fresh} has no portfolio snapshot`);
    await expect(tagInstruments(base, "00000000-0000-4000-8000-000000000000")).rejects.toThrow(AgentInputError);
  });
});
