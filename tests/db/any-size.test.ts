import { ExecuteStatementCommand } from "@aws-sdk/client-rds-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countingDb } from "../../lib/db/counting-db.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { AGGREGATE_HOLDINGS } from "../../lib/portfolio/aggregate.js";
import { PORTFOLIO_LIMITS } from "../../lib/portfolio/limits.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { executeLocally, STATE_PAYLOAD_LIMIT_BYTES } from "../../state-machine/local-executor.js";
import { offlineDeps } from "../support/agents.js";
import { DATA_API_LIMITS, DataApiFake } from "../support/data-api-fake.js";

/** `count` distinct holdings the user names and prices (none known to the reference data), in `accounts` accounts. */
function holdingsFile(user: string, count: number, accounts: number) {
  const perAccount = Math.ceil(count / accounts);
  return {
    user: { id: user, display_name: `Holder of ${count}`, current_age: 50, years_until_retirement: 15 },
    accounts: Array.from({ length: accounts }, (_, a) => ({
      name: `Account ${a + 1}`,
      type: (["taxable", "401k", "roth_ira"] as const)[a % 3],
      cash_balance: 1000,
      positions: Array.from({ length: Math.min(perAccount, count - a * perAccount) }, (_, p) => {
        const i = a * perAccount + p;
        return { symbol: `Z${i}`, quantity: 1 + (i % 7), name: `Holding ${i} Equity Index Fund`, price: 10 + (i % 90) };
      }),
    })),
  };
}

describe("any size: 5,000 distinct holdings on the Data API driver, within AWS's limits", () => {
  let fake: DataApiFake;
  beforeAll(async () => {
    fake = await DataApiFake.start();
  });
  afterAll(() => fake.close());

  it("a file of 5,000 distinct holdings imports, in one account or several", () => {
    expect(PORTFOLIO_LIMITS.distinctSymbols).toBe(5000);
    const one = parsePortfolioFile(holdingsFile("one-account", 5000, 1));
    expect(one.accounts[0].positions).toHaveLength(5000);
    expect(() => parsePortfolioFile(holdingsFile("over", 5001, 3))).toThrow(/holds 5001 positions; the limit is 5000/);
  });

  it("runs a 5,000-holding job end to end through the real definition, tagging every holding", async () => {
    const db = fake.db();
    await importPortfolio(db, parsePortfolioFile(holdingsFile("five-thousand", 5000, 5)));
    const jobId = await createJob(db, { clerk_user_id: "five-thousand" });
    const counted = countingDb(db);
    const calls = fake.mock.commandCalls(ExecuteStatementCommand).length;
    const execution = await executeLocally({ jobId }, { deps: await offlineDeps(counted), retryIntervalMs: 0 });
    expect(execution.error).toBeUndefined();
    expect(execution.status).toBe("SUCCEEDED");

    // Every statement was within the Data API's limits (the fake refuses any other), and so was every request.
    const requests = fake.mock
      .commandCalls(ExecuteStatementCommand)
      .slice(calls)
      .map((call) => Buffer.byteLength(JSON.stringify(call.args[0].input)));
    expect(Math.max(...requests)).toBeLessThan(DATA_API_LIMITS.requestBytes);
    // Every state stayed under Step Functions' 256 KiB: symbols never travel in it.
    const largestState = Math.max(...execution.events.map((e) => Buffer.byteLength(JSON.stringify(e.output ?? null))));
    expect(largestState).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES / 10);

    const job = await getJob(db, jobId);
    expect(job?.status).toBe("completed");
    const summary = job?.summary_payload as {
      tagging: { requested: number; tagged: string[]; failed: unknown[] };
      portfolio: { total_value: number; positions: unknown[]; accounts: { positions: number }[] };
    };
    expect(summary.tagging.requested).toBe(5000);
    expect(new Set(summary.tagging.tagged).size).toBe(5000);
    expect(summary.tagging.failed).toEqual([]);
    expect(summary.portfolio.positions).toHaveLength(5000);
    expect(summary.portfolio.accounts.map((a) => a.positions)).toEqual([1000, 1000, 1000, 1000, 1000]);
    const expected = holdingsFile("five-thousand", 5000, 5).accounts.reduce(
      (sum, a) => sum + a.cash_balance * 100 + a.positions.reduce((s, p) => s + p.quantity * p.price * 100, 0),
      0,
    );
    expect(summary.portfolio.total_value).toBe(expected / 100);
    const report = (job?.report_payload as { content: string }).content;
    expect(report).toContain("across 5 account(s) and 5000 holding(s)");
    expect(report).toContain(`${5000 - AGGREGATE_HOLDINGS} other holdings`);
    console.error(
      `5,000 holdings: ${counted.counter.count} statements, ${(counted.counter.bytes / 1e6).toFixed(2)} MB read, ` +
        `largest request ${(Math.max(...requests) / 1e6).toFixed(2)} MB, largest state ${largestState} B, ${execution.durationMs.toFixed(0)} ms`,
    );
  }, 600_000);
});
