import type { Model } from "@openai/agents";
import { assistantMessage, functionCall, ScriptedModel } from "@openai/agents/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps, AgentName } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, userWithJob } from "../support/pipeline.js";
import { GOOD_CHART, toolOutputsSeen } from "../support/scripted.js";
import { asAppRole, type Summary, unfinishedJobs } from "./support.js";

/**
 * Garbage from the model — tool arguments that are not the tool's schema, structured output that is not
 * the agent's — in a whole job through the state machine (as `alex_app`): one agent gets the SDK's
 * scripted model, the others the offline one. Each case asserts the job's final status and reason,
 * what the garbage did to it, and that no job is left pending or running.
 */
describe("garbage from the model", () => {
  let db: PgliteDb;
  let base: AgentDeps;
  let n = 0;
  const withModel = (agent: AgentName, model: Model): AgentDeps => ({
    ...base,
    modelFor: (a) => (a === agent ? model : undefined),
  });
  const run = (deps: AgentDeps, jobId: string) => asAppRole(db, () => runJob(deps, { jobId }));

  beforeAll(async () => {
    db = await testDb();
    base = await offlineDeps(db);
  });
  afterEach(async () => expect(await unfinishedJobs(db)).toEqual([]));
  afterAll(() => db.close());

  it("planner: garbage tool arguments are refused without running the tool, duplicates are ignored; the rules fill the gap and the job completes", async () => {
    const jobId = await userWithJob(
      db,
      `garbage-${++n}`,
      [
        [
          { symbol: "SPY", quantity: 2 },
          { symbol: "BND", quantity: 3 },
        ],
      ],
      { years_until_retirement: 20 },
    );
    const model = new ScriptedModel([
      [
        functionCall("run_reporter", { reason: 42 }, { callId: "bad" }),
        functionCall("run_charter", { reason: "two positions" }, { callId: "c1" }),
        functionCall("run_charter", { reason: "again" }, { callId: "c2" }),
      ],
      [assistantMessage("done")],
      [assistantMessage("I already planned.")],
    ]);
    const { job } = await run(withModel("planner", model), jobId);

    expect(job?.status).toBe("completed");
    expect(job?.error_message).toBeNull();
    const summary = job?.summary_payload as Summary & { plan?: unknown };
    expect(summary.chosen.map((c) => c.agent)).toEqual(["reporter", "charter", "retirement"]);
    expect(summary.chosen[1]).toEqual({ agent: "charter", reason: "two positions" });
    expect(summary.plan).toEqual({
      source: "model+rules",
      model_choice: ["charter"],
      added: ["reporter", "retirement"],
      removed: [],
    });
    for (const agent of ["reporter", "charter", "retirement"]) expect(summary.results[agent].status).toBe("succeeded");
    expect(toolOutputsSeen(model)[0]).toContain("run_reporter failed: Invalid JSON input for tool");
    const followUp = model.lastCall?.request;
    expect(followUp?.modelSettings.toolChoice).toBe("required");
    expect(JSON.stringify(followUp?.input)).toMatch(
      /- run_reporter: the portfolio has \d+ position\(s\)\\n- run_retirement: the user has retirement goals/,
    );
    model.assertComplete();
  });

  it("charter: an invalid chart gets the validation error back; the valid one is the only chart stored and the job needs review", async () => {
    const jobId = await userWithJob(db, `garbage-${++n}`, [
      [
        { symbol: "SPY", quantity: 2 },
        { symbol: "BND", quantity: 3 },
      ],
    ]);
    const model = new ScriptedModel([
      [
        functionCall(
          "create_chart",
          { ...GOOD_CHART, key: "bad_colour", data: [{ name: "Equity", value: 100, color: "blue" }] },
          { callId: "c1" },
        ),
      ],
      [functionCall("create_chart", GOOD_CHART, { callId: "c2" })],
      [assistantMessage("Created asset_allocation")],
      [assistantMessage("That is all I can draw.")],
    ]);
    const { job } = await run(withModel("charter", model), jobId);

    expect(job?.status).toBe("needs_review");
    expect(job?.error_message).toBe("Needs review: charts: 1 valid chart(s), at least 4 needed");
    expect((job?.summary_payload as Summary).results.charter.status).toBe("succeeded");
    expect(Object.keys(job?.charts_payload ?? {})).toEqual(["asset_allocation"]);
    expect(toolOutputsSeen(model)).toEqual([
      expect.stringContaining("create_chart rejected the arguments: data[0].color: must be a hex colour #RRGGBB"),
      expect.stringContaining('Stored chart \\"asset_allocation\\"'),
    ]);
  });

  it("tagger: structured output that is not the schema fails that symbol with the SDK's error; nothing is stored and the report says the holding could not be classified", async () => {
    const user = `garbage-${++n}`;
    const jobId = await userWithJob(db, user, [
      [
        { symbol: "SPY", quantity: 2 },
        { symbol: "ZZGARB", quantity: 4, name: "Garbage Answer Fund", price: 12 },
      ],
    ]);
    const model = new ScriptedModel([[assistantMessage('{"symbol": "ZZGARB"}')]]);
    const { job } = await run(withModel("tagger", model), jobId);

    // The report names the holding the tagger could not classify, so the gate passes the job.
    expect(job?.status).toBe("completed");
    expect((job?.report_payload as { content: string }).content).toContain(
      "> **Not classified:** ZZGARB could not be classified: its asset class, region and sector are unknown",
    );
    const tagging = (job?.summary_payload as Summary).tagging as {
      tagged: string[];
      failed: { symbol: string; error: string }[];
    };
    expect(tagging.tagged).toEqual([]);
    expect(tagging.failed).toEqual([{ symbol: "ZZGARB", error: expect.stringMatching(/^ModelBehaviorError/) }]);
    const holding = (await loadPortfolio(db, user))!.accounts[0].positions.find((p) => p.symbol === "ZZGARB");
    expect(holding?.instrument).toMatchObject({ allocation_asset_class: {}, current_price: 12, price_source: "user" });
  });
});
