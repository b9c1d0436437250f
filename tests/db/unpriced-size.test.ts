import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { executeLocally } from "../../state-machine/local-executor.js";
import { offlineDeps } from "../support/agents.js";
import { DataApiFake } from "../support/data-api-fake.js";

describe("a portfolio of thousands of unpriced holdings on the Data API driver", () => {
  let fake: DataApiFake;
  beforeAll(async () => {
    fake = await DataApiFake.start();
  });
  afterAll(() => fake.close());

  it("ends its job, its quality gate reading the long report and outlook in parts", async () => {
    const db = fake.db();
    const file = {
      user: { id: "unpriced-many", display_name: "Unpriced", current_age: 50, years_until_retirement: 15 },
      accounts: [
        {
          name: "Brokerage",
          type: "taxable",
          cash_balance: 1000,
          positions: Array.from({ length: 2000 }, (_, i) => ({
            symbol: `UNPRICED${String(i).padStart(4, "0")}`,
            quantity: 1,
            name: `Holding ${i} Equity Index Fund`,
          })),
        },
      ],
    };
    await importPortfolio(db, parsePortfolioFile(file));
    const jobId = await createJob(db, { clerk_user_id: "unpriced-many" });
    const execution = await executeLocally({ jobId }, { deps: await offlineDeps(db), retryIntervalMs: 0 });
    const job = await getJob(db, jobId);
    // Finalize's quality gate read a 178 KB row in one statement (the report and the outlook name every unpriced
    // holding), which the Data API refuses: the job failed with "Packet for query is too large".
    expect(job?.error_message ?? "").not.toMatch(/too large|exceeded size/);
    expect(execution.status).toBe("SUCCEEDED");
    expect(["completed", "needs_review"]).toContain(job?.status);
    // The plan, the report and the outlook name ten of them and count the rest, not 2,000 symbols in one sentence.
    const actions = (job?.summary_payload as { actions: { kind: string; text: string }[] }).actions;
    const pricing = actions.find((a) => a.kind === "price_holdings")?.text ?? "";
    expect(pricing).toMatch(/^Add prices for UNPRICED0000, .*, UNPRICED0009 and 1,990 more: they are valued at \$0/);
    const report = (job?.report_payload as { content: string }).content;
    expect(report).toContain("- Unpriced holdings (UNPRICED0000, ");
    expect(report.length).toBeLessThan(20_000);
    expect((job?.retirement_payload as { analysis: string }).analysis).toContain("UNPRICED0009 and 1,990 more");
  }, 300_000);
});
