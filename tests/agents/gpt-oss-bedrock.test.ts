import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { drawCharts } from "../../lib/agents/charter.js";
import type { AgentDeps, AgentName } from "../../lib/agents/common.js";
import { planAnalysis } from "../../lib/agents/planner.js";
import { writeReport } from "../../lib/agents/reporter.js";
import { tagInstruments } from "../../lib/agents/tagger.js";
import { loadConfig } from "../../lib/config.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { getInstruments } from "../../lib/db/repositories/instruments.js";
import { getJob } from "../../lib/db/repositories/jobs.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { createModel } from "../../lib/models/provider.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { offlineDeps, runningJob } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { type FakeReply, type FakeServer, startFakeServer, useFakeAwsCredentials } from "../support/fake-bedrock.js";
import { gptOss, toolConfig } from "../support/gpt-oss.js";

const bedrock = loadConfig({
  ALEX_MODEL: "bedrock:openai.gpt-oss-120b-1:0",
  BEDROCK_REGION: "us-west-2",
  ALEX_MODEL_MAX_RETRIES: "0",
});
const chart = (key: string, color = "#3B82F6") => ({
  key,
  title: key,
  type: "pie",
  description: "From the data",
  data: [{ name: "Equity", value: 100, color }],
});

describe("the agents on gpt-oss-shaped Converse replies, through the real Bedrock provider", () => {
  let db: PgliteDb;
  let base: AgentDeps;
  let server: FakeServer | undefined;
  let restoreEnv: () => void;

  /** The named agents talk to the fake Converse server (replies in order); the others stay offline. */
  async function onBedrock(agents: AgentName[], replies: FakeReply[], config = bedrock): Promise<AgentDeps> {
    const fake = await startFakeServer(replies);
    server = fake;
    const model = (agent: AgentName) =>
      createModel(config, { agent, offlinePolicy: () => ({ final: "unused" }), bedrockBaseURL: fake.url });
    return { ...base, modelFor: (agent) => (agents.includes(agent) ? model(agent) : undefined) };
  }
  const bodies = () => server?.requests.map((r) => r.body) ?? [];

  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    base = await offlineDeps(db);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    restoreEnv = useFakeAwsCredentials();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    restoreEnv();
  });

  it("planner: text instead of a tool call, then bad arguments → asked again with tool choice any, the rules complete the plan", async () => {
    const deps = await onBedrock(
      ["planner"],
      [
        gptOss.text("The reporter and charter apply."),
        gptOss.toolUse([
          { name: "run_reporter", input: { reason: 42 } },
          { name: "run_charter", input: { reason: "six positions" } },
        ]),
        gptOss.text("Scheduled the charter."),
      ],
    );
    const plan = await planAnalysis(deps, await runningJob(db, DEMO_USER_ID));
    expect(plan.decision).toEqual({
      source: "model+rules",
      model_choice: ["charter"],
      added: ["reporter", "retirement"],
      removed: [],
    });
    expect(plan.specialists.map((s) => s.agent)).toEqual(["reporter", "charter", "retirement"]);
    expect(toolConfig(bodies()[0])).toEqual({
      tools: ["run_reporter", "run_charter", "run_retirement"],
      toolChoice: undefined,
    });
    expect(toolConfig(bodies()[1]).toolChoice).toEqual({ any: {} });
  });

  it("planner on a model without toolChoice any: text, then the reminder turn with auto → tool calls, plan source model+reminder", async () => {
    const llama = loadConfig({ ALEX_MODEL: "bedrock:meta.llama3-1-70b-instruct-v1:0", ALEX_MODEL_MAX_RETRIES: "0" });
    const all = ["run_reporter", "run_charter", "run_retirement"].map((name) => ({
      name,
      input: { reason: "applies" },
    }));
    const deps = await onBedrock(
      ["planner"],
      [
        gptOss.text("The reporter, charter and retirement specialists apply."),
        gptOss.toolUse(all),
        gptOss.text("Done."),
      ],
      llama,
    );
    const plan = await planAnalysis(deps, await runningJob(db, DEMO_USER_ID));
    expect(plan.decision).toEqual({
      source: "model+reminder",
      model_choice: ["reporter", "charter", "retirement"],
      added: [],
      removed: [],
    });
    expect(toolConfig(bodies()[1]).toolChoice).toEqual({ auto: {} });
    expect(JSON.stringify(bodies()[1].messages)).toContain("Your plan is missing specialists");
  });

  it("charter: chart JSON inside text, then a turn with one bad call → the refused chart named, valid ones stored", async () => {
    const deps = await onBedrock(
      ["charter"],
      [
        gptOss.text(`Here is a chart:\n\`\`\`json\n${JSON.stringify(chart("asset_allocation"))}\n\`\`\``),
        gptOss.toolUse([
          { name: "create_chart", input: chart("asset_allocation") },
          { name: "create_chart", input: chart("top_holdings") },
          { name: "create_chart", input: chart("sectors", "red") },
          { name: "create_chart", input: chart("regions") },
        ]),
        gptOss.text("Created three charts."),
      ],
    );
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    const result = await drawCharts(deps, jobId);
    expect(result.charts).toEqual(["asset_allocation", "top_holdings", "regions"]);
    expect(Object.keys((await getJob(db, jobId))?.charts_payload ?? {})).toHaveLength(3);
    expect(toolConfig(bodies()[0]).toolChoice).toEqual({ any: {} });
    expect(JSON.stringify(bodies()[1].messages)).toContain("No chart has been stored yet.");
    expect(JSON.stringify(bodies()[2].messages)).toContain("data[0].color: must be a hex colour #RRGGBB");
  });

  it("tagger: the synthetic json tool classifies; JSON inside prose fails only that symbol", async () => {
    await importPortfolio(
      db,
      parsePortfolioFile({
        user: { id: "gpt-oss-tags", display_name: "Tags" },
        accounts: [
          {
            name: "Brokerage",
            type: "taxable",
            positions: [
              { symbol: "OSSA", quantity: 1, name: "Oss Alpha Bond Fund", price: 10 },
              { symbol: "OSSB", quantity: 1, name: "Oss Beta Fund", price: 10 },
            ],
          },
        ],
      }),
    );
    const zeros = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
    const answer = {
      symbol: "OSSA",
      name: "Oss Alpha Bond Fund",
      instrument_type: "bond_fund",
      current_price: null,
      basis: "bond fund by name",
      allocation_asset_class: {
        ...zeros(["equity", "real_estate", "commodities", "cash", "alternatives"]),
        fixed_income: 100,
      },
      allocation_regions: {
        ...zeros(["europe", "asia", "latin_america", "africa", "middle_east", "oceania", "global", "international"]),
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
          "corporate",
          "mortgage",
          "government_related",
          "commodities",
          "diversified",
          "other",
        ]),
        treasury: 100,
      },
    };
    const deps = await onBedrock(
      ["tagger"],
      [
        gptOss.toolUse([{ name: "json", input: answer }]),
        gptOss.text(`Sure! The classification is ${JSON.stringify({ ...answer, symbol: "OSSB" })}`),
      ],
    );
    const deps1 = { ...deps, config: { ...deps.config, taggerConcurrency: 1 } };
    const result = await tagInstruments(deps1, await runningJob(db, "gpt-oss-tags"));
    expect(result.tagged).toEqual(["OSSA"]);
    expect(result.failed.map((f) => f.symbol)).toEqual(["OSSB"]);
    expect(result.failed[0].error).toMatch(/^ModelBehaviorError/);
    // OSSA is the user's own instrument (the reference data does not know it): tagged for that user only.
    const ossa = (await loadPortfolio(db, "gpt-oss-tags"))?.accounts
      .flatMap((a) => a.positions)
      .find((p) => p.symbol === "OSSA");
    expect(ossa?.instrument?.allocation_sectors).toEqual({ treasury: 100 });
    expect(await getInstruments(db, ["OSSA"])).toEqual([]);
  });

  it("reporter + reviewer: the insights come with the first request, the reviewer's structured answer is stored with the report", async () => {
    const deps = await onBedrock(
      ["reporter", "reviewer"],
      [
        gptOss.text("## Executive Summary\n- Your 401(k), Roth IRA and Taxable Brokerage accounts hold six funds."),
        gptOss.toolUse([{ name: "json", input: { score: 85, issues: [] } }], "The report is accurate but short."),
      ],
    );
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    await writeReport({ ...deps, config: { ...deps.config, model: bedrock.model } }, jobId);
    const payload = (await getJob(db, jobId))?.report_payload as { content: string; review: unknown };
    expect(payload.content).toContain("## Executive Summary");
    expect(payload.review).toEqual({
      status: "reviewed",
      score: 85,
      issues: [],
      revised: false,
      model: "bedrock:openai.gpt-oss-120b-1:0",
    });
    expect(JSON.stringify(bodies()[0].messages)).toContain("Market insights for SPY, QQQ, BND, VTI, VEA:");
    expect(toolConfig(bodies()[0]).tools).toEqual([]);
    expect(toolConfig(bodies()[1])).toEqual({ tools: ["json"], toolChoice: { any: {} } });
    expect(bodies()).toHaveLength(2);
  });

  it("reviewer: text instead of the json tool → review.status error, the report is still stored", async () => {
    const deps = await onBedrock(["reviewer"], [gptOss.text("Looks great to me, 95/100!")]);
    const jobId = await runningJob(db, DEMO_USER_ID);
    await planAnalysis(base, jobId);
    await writeReport(deps, jobId);
    const payload = (await getJob(db, jobId))?.report_payload as {
      content: string;
      review: { status: string; error: string };
    };
    expect(payload.content).toContain("## Executive Summary");
    expect(payload.review.status).toBe("error");
    expect(payload.review.error).toMatch(/^ModelBehaviorError/);
  });
});
