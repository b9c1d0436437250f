import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PlannedAction } from "../../lib/advice/actions.js";
import { adviceFacts } from "../../lib/advice/facts.js";
import { suitabilityFindings } from "../../lib/advice/rules.js";
import { jobOutlook } from "../../lib/agents/action-plan.js";
import type { AgentDeps } from "../../lib/agents/common.js";
import type { PgliteDb } from "../../lib/db/pglite.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { createJob, type JobRow } from "../../lib/db/repositories/jobs.js";
import { loadPortfolio } from "../../lib/db/repositories/portfolios.js";
import { renderJobPage } from "../../lib/output/job-output.js";
import { readPortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import type { Portfolio } from "../../lib/portfolio/types.js";
import { valuePortfolio } from "../../lib/portfolio/valuation.js";
import type { RetirementOutlook } from "../../lib/retirement/outlook.js";
import { offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { runJob } from "../support/pipeline.js";

const DIR = "examples/personas";
const PERSONAS = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.replace(/\.json$/, ""))
  .sort();

interface Run {
  job: JobRow;
  portfolio: Portfolio;
  actions: PlannedAction[];
  page: string;
}

/** The numbered items of a markdown section. */
function listIn(markdown: string, heading: string): string[] {
  const section = markdown.split(`## ${heading}`)[1]?.split("\n## ")[0] ?? "";
  return [...section.matchAll(/^\d+\.\s+(.*)$/gm)].map((m) => m[1].trim());
}

/** The page's "Most important actions" items, as text. */
function pageActions(html: string): string[] {
  const card = /Most important actions<\/h2>(.*?)<\/div>/s.exec(html)?.[1] ?? "";
  return [...card.matchAll(/<li>(.*?)<\/li>/gs)].map((m) =>
    m[1]
      .replace(/<[^>]+>/g, "")
      .replaceAll("&amp;", "&")
      .replaceAll("&#39;", "'"),
  );
}

describe("every persona gets one suitable action plan, shown alike on the page, in the report and in the outlook", () => {
  let db: PgliteDb;
  let deps: AgentDeps;
  const runs = new Map<string, Run>();
  beforeAll(async () => {
    db = await testDb();
    deps = await offlineDeps(db);
    for (const name of PERSONAS) {
      const userId = await importPortfolio(db, await readPortfolioFile(join(DIR, `${name}.json`)));
      const jobId = await createJob(db, { clerk_user_id: userId });
      const { job } = await runJob(deps, { jobId });
      if (!job) throw new Error(`${name}: no job`);
      const portfolio = (await loadPortfolio(db, userId)) as Portfolio;
      const actions = PlannedAction.array().parse((job.summary_payload as { actions?: unknown }).actions);
      runs.set(name, { job, portfolio, actions, page: (await renderJobPage(job)).body });
    }
  }, 600_000);
  afterAll(() => db.close());

  const run = (name: string) => {
    const found = runs.get(name);
    if (!found) throw new Error(`persona ${name} did not run`);
    return found;
  };
  const kinds = (name: string) => run(name).actions.map((a) => a.kind);
  const texts = (name: string) => run(name).actions.map((a) => a.text);

  it.each(PERSONAS)("%s: the job ends completed with a ranked action plan in summary_payload.actions", (name) => {
    const { job, actions } = run(name);
    expect(job.status).toBe("completed");
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.map((a) => a.rank)).toEqual(actions.map((_, i) => i + 1));
  });

  it.each(PERSONAS)("%s: the page, the report and the outlook show the same first three actions", (name) => {
    const { job, actions, page } = run(name);
    const top = actions.slice(0, 3).map((a) => a.text);
    expect(pageActions(page)).toEqual(top);
    expect(page).not.toContain("The report lists no actions");
    const report = (job.report_payload as { content?: string } | null)?.content;
    if (report) expect(listIn(report, "Recommendations").slice(0, 3)).toEqual(top);
    const outlook = (job.retirement_payload as { analysis?: string } | null)?.analysis;
    if (outlook) expect(listIn(outlook, "Action Plan").slice(0, 3)).toEqual(top);
  });

  it.each(PERSONAS)("%s: no sentence of the actions, the report or the outlook breaks a suitability rule", (name) => {
    const { job, portfolio, actions } = run(name);
    const valuation = valuePortfolio(portfolio);
    const stored = (job.retirement_payload as { outlook?: RetirementOutlook } | null)?.outlook;
    const facts = adviceFacts(portfolio, valuation, stored ?? jobOutlook(job.request_payload, portfolio, valuation));
    const report = (job.report_payload as { content?: string } | null)?.content ?? "";
    const analysis = (job.retirement_payload as { analysis?: string } | null)?.analysis ?? "";
    const text = [...actions.map((a) => a.text), report, analysis].join("\n");
    expect(suitabilityFindings(text, facts)).toEqual([]);
  });

  it.each(PERSONAS)("%s: the reviewer finds nothing wrong with the offline report", (name) => {
    const { job } = run(name);
    const review = (job.report_payload as { review?: { issues: unknown[]; score: number } } | null)?.review;
    if (review) expect(review).toMatchObject({ issues: [], score: 100 });
  });

  it("the off-track saver's first action is the measured contribution that puts the plan on track", () => {
    const [first] = run("saver-off-track").actions;
    expect(first.kind).toBe("raise_contribution");
    expect(first.source).toBe("retirement");
    expect(first.effect?.from).toBeLessThan(5);
    expect(first.effect?.to).toBe(85);
    expect(first.text).toMatch(/^Save \$[\d,]+ a year until 65: about 85% of markets/);
    expect(kinds("saver-off-track").indexOf("invest_idle_cash")).toBeGreaterThan(0);
  });

  it("retirees are never told to contribute, and the 85-year-old's year of spending in cash is a reserve", () => {
    for (const name of ["retiree-65", "retiree-75", "retiree-85"]) {
      expect(kinds(name)).not.toContain("raise_contribution");
      expect(kinds(name)).not.toContain("keep_contributing");
      expect(texts(name).join(" ")).not.toMatch(/contribut/i);
    }
    expect(kinds("retiree-85")).not.toContain("invest_idle_cash");
    expect(kinds("retiree-85")).toContain("keep_reserve");
  });

  it("an allocation fund is diversification, a single stock is a bet", () => {
    expect(kinds("allocation-fund")).not.toContain("reduce_concentration");
    expect(run("allocation-fund").job.report_payload).not.toMatchObject({ content: expect.stringMatching(/bet/) });
    const stock = run("single-stock").actions.find((a) => a.kind === "reduce_concentration");
    expect(stock?.text).toContain("ACME");
    expect(stock?.text).toContain("single stock");
    expect(kinds("single-stock")[0]).toBe("reduce_concentration");
  });

  it("all cash and empty portfolios are asked to choose a mix, never to rebalance", () => {
    for (const name of ["all-cash", "empty"]) {
      expect(kinds(name).slice(0, 3)).toContain("choose_mix");
      expect(kinds(name)).not.toContain("rebalance");
    }
  });

  it("a lever too large to follow is stated as the size of the gap, after the feasible ones, never as a plan", () => {
    const save = run("near-retiree-bridge").actions.find((a) => a.kind === "raise_contribution");
    expect(save?.text).toMatch(/^Saving more alone would take \$[\d,]+ a year instead of \$15,000 until 62 /);
    expect(save?.text).toContain("too large a change by itself");
    const feasible = run("near-retiree-bridge").actions.filter(
      (a) => a.kind === "spend_less" || a.kind === "retire_later",
    );
    expect(feasible.map((a) => a.rank).every((rank) => rank < (save?.rank ?? 0))).toBe(true);
    const spend = run("single-stock").actions.find((a) => a.kind === "spend_less");
    expect(spend?.text).toMatch(/^Spending less alone would take \$[\d,]+ a year instead of \$80,000 /);
    expect(spend?.text).toContain("the swings of ACME (99.2% of the portfolio), so spread that risk first");
    expect(texts("single-stock").join(" ")).not.toMatch(/Plan on \$[\d,]+ a year of spending/);
  });

  it("only unpriced holdings: pricing them comes first, and nothing says that nothing is saved", () => {
    expect(kinds("only-unpriced")[0]).toBe("price_holdings");
    const { job, actions } = run("only-unpriced");
    expect(JSON.stringify([job.report_payload, job.retirement_payload, actions])).not.toMatch(
      /Nothing is saved|0\.0% of the portfolio/,
    );
  });

  it("an unknown fund is named as unknown, not as a bet", () => {
    expect(texts("unknown-fund").join(" ")).not.toMatch(/ZQXF[^.]*bet/);
  });
});
