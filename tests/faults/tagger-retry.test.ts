import type { Model } from "@openai/agents";
import { modelError, ScriptedModel } from "@openai/agents/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentDeps } from "../../lib/agents/common.js";
import { tagInstruments } from "../../lib/agents/tagger.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { getJob } from "../../lib/db/repositories/jobs.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { ThrottledError } from "../../lib/models/retry.js";
import { STATE } from "../../state-machine/definition.js";
import { offlineDeps, runningJob } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob, statesEntered, userWithJob } from "../support/pipeline.js";

type Summary = { tagging: { requested: number; tagged: string[]; failed: { symbol: string }[] } };

describe("a tagger retried by Step Functions reports what is tagged after all attempts", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
  });
  afterAll(() => db.close());

  it("symbols the first attempt tagged before it failed count as tagged, not failed", async () => {
    const jobId = await userWithJob(db, "retried-tagger", [
      [
        { symbol: "ZRALPHA", quantity: 1, name: "Alpha Total Market Equity Fund", price: 10 },
        { symbol: "ZRBETA", quantity: 2, name: "Beta Aggregate Bond Fund", price: 20 },
      ],
    ]);
    // Attempt 1: ZRALPHA is classified (offline model), ZRBETA's model stays throttled, so the task fails
    // with ThrottledError and Step Functions retries it. Attempt 2 classifies ZRBETA.
    const taggerRuns: string[] = [];
    const modelFor: AgentDeps["modelFor"] = (agent, policy) => {
      if (agent !== "tagger") return undefined;
      const symbol = JSON.parse((policy({} as never) as { final: string }).final).symbol as string;
      taggerRuns.push(symbol);
      if (symbol !== "ZRBETA" || taggerRuns.filter((s) => s === "ZRBETA").length > 1) return undefined;
      return new ScriptedModel([
        modelError(new ThrottledError("still throttled", { cause: new Error("429"), attempts: 5 })),
      ]) as Model;
    };
    const { execution, job } = await runJob({ ...deps, modelFor }, { jobId });
    expect(execution.status).toBe("SUCCEEDED");
    expect(statesEntered(execution).filter((s) => s === STATE.tagInstruments)).toHaveLength(1);
    // ZRALPHA ran once (attempt 1); ZRBETA twice (throttled, then tagged by the retry).
    expect(taggerRuns.sort()).toEqual(["ZRALPHA", "ZRBETA", "ZRBETA"]);
    expect(job?.status).toBe("completed");
    const tagging = (job?.summary_payload as Summary).tagging;
    expect(tagging.requested).toBe(2);
    expect(tagging.tagged.sort()).toEqual(["ZRALPHA", "ZRBETA"]);
    expect(tagging.failed).toEqual([]);
    const instruments = (await loadPortfolio(db, "retried-tagger"))!.accounts[0].positions.map((p) => p.instrument);
    for (const instrument of instruments) expect(instrument.allocation_asset_class).not.toEqual({});
  });

  it("an attempt out of its time budget stores what it classified; the retries go on from there to the end", async () => {
    const symbols = ["ZTONE", "ZTTWO", "ZTTHREE"];
    const jobId = await userWithJob(db, "tagger-out-of-time", [
      symbols.map((symbol) => ({ symbol, quantity: 1, name: `${symbol} Total Market Equity Fund`, price: 10 })),
    ]);
    // A budget of 0 s: each attempt classifies only its first wave (one symbol at concurrency 1), then stops.
    const config = { ...deps.config, taggerBudgetSeconds: 0, taggerConcurrency: 1 };
    const classified: string[] = [];
    const modelFor: AgentDeps["modelFor"] = (agent, policy) => {
      if (agent === "tagger") classified.push(JSON.parse((policy({} as never) as { final: string }).final).symbol);
      return undefined;
    };
    const { execution, job } = await runJob({ ...deps, config, modelFor }, { jobId });
    expect(execution.status).toBe("SUCCEEDED");
    expect(classified.sort()).toEqual([...symbols].sort()); // each symbol classified once, by one of three attempts
    const retried = execution.events.filter((e) => e.type === "StateRetried" && e.state === STATE.tagInstruments);
    expect(retried).toHaveLength(2); // attempts 2 and 3, each after a TaggerOutOfTimeError
    expect(job?.status).toBe("completed");
    const tagging = (job?.summary_payload as Summary).tagging;
    expect(tagging.tagged.sort()).toEqual([...symbols].sort());
    expect(tagging.failed).toEqual([]);
  });

  it("a retried task finds nothing left to tag; the job's summary keeps what the earlier attempt tagged", async () => {
    await userWithJob(db, "retried-direct", [[{ symbol: "ZRGAMMA", quantity: 1, name: "Gamma Equity Fund" }]]);
    const jobId = await runningJob(db, "retried-direct");
    const first = await tagInstruments(deps, jobId);
    expect(first.tagged).toEqual(["ZRGAMMA"]);
    const second = await tagInstruments(deps, jobId);
    expect(second).toMatchObject({ requested: 0, tagged: [], failed: [] });
    expect(second.usage.requests).toBe(0);
    const job = await getJob(db, jobId);
    expect((job?.summary_payload as Summary).tagging).toEqual({ requested: 1, tagged: ["ZRGAMMA"], failed: [] });
  });
});
