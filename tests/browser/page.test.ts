import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDefinition, runJobLocally } from "../../console/run-job.js";
import type { Db } from "../../lib/db/driver.js";
import { saveExecutionTrace } from "../../lib/db/repositories/execution-trace.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { writeJobOutput } from "../../lib/output/job-output.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import { readPortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { executeLocally } from "../../state-machine/local-executor.js";
import { offlineConfig, offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import {
  consoleErrors,
  expectAccessible,
  findChromium,
  horizontalOverflow,
  launch,
  screenshot,
  smallText,
} from "./browser.js";

const chromium = findChromium();

describe.skipIf(!("path" in chromium))("index.html in Chromium", () => {
  let db: Db;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let failedSpecialistPage: string;
  let demoPage: string;
  let otherPage: string;

  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    const out = await mkdtemp(join(tmpdir(), "alex-browser-"));
    const jobId = await createJob(db, { clerk_user_id: DEMO_USER_ID });
    await runJobLocally(db, offlineConfig(), jobId);
    await writeJobOutput(join(out, "demo"), (await getJob(db, jobId))!, { definition: localDefinition() });
    demoPage = pathToFileURL(join(out, "demo", "index.html")).href;
    const otherUser = await importPortfolio(db, await readPortfolioFile("examples/portfolio.json"));
    const otherId = await createJob(db, { clerk_user_id: otherUser });
    await runJobLocally(db, offlineConfig(), otherId);
    await writeJobOutput(join(out, "other"), (await getJob(db, otherId))!, { definition: localDefinition() });
    otherPage = pathToFileURL(join(out, "other", "index.html")).href;

    const failing: TaskFunction<unknown> = async () => {
      throw Object.assign(new Error("the plotter caught fire"), { name: "ChartBoom" });
    };
    const failedId = await createJob(db, { clerk_user_id: DEMO_USER_ID });
    const execution = await executeLocally(
      { jobId: failedId },
      { deps: await offlineDeps(db), taskFunctions: { charter: failing }, retryIntervalMs: 0 },
    );
    await saveExecutionTrace(db, failedId, execution.events);
    await writeJobOutput(join(out, "failed"), (await getJob(db, failedId))!, { definition: localDefinition() });
    failedSpecialistPage = pathToFileURL(join(out, "failed", "index.html")).href;

    browser = await launch((chromium as { path: string }).path);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true })).newPage();
    errors = consoleErrors(page);
    await page.goto(demoPage);
  });
  afterAll(async () => {
    await browser?.close();
    await db?.close();
  });

  it("holds the summary cards and the start of the report on the first screen, raw data collapsed", async () => {
    await screenshot(page, "index-first-screen", { readme: true });
    const viewport = 800;
    for (const selector of ["#overview", "#overview .card.actions", "#report h2"]) {
      const box = (await page.locator(selector).first().boundingBox())!;
      expect(box.y + box.height, selector).toBeLessThanOrEqual(viewport);
    }
    await expect(page.locator("#overview .card h2").allTextContents()).resolves.toEqual(
      expect.arrayContaining(["Total value", "Invested", "Retirement outlook", "Most important actions"]),
    );
    expect(await page.locator("#overview .card.actions li").count()).toBe(3);
    expect(await page.locator("#summary details").count()).toBeGreaterThan(0);
    expect(await page.locator("#summary details[open]").count()).toBe(0);
    expect(await page.locator("#summary pre").first().isVisible()).toBe(false);
  });

  it("shows every chart, the fan chart and the execution graph, with no console errors", async () => {
    const charts = page.locator("figure.chart > svg, figure.chart .fan-wide svg");
    expect(await charts.count()).toBe(6);
    for (let i = 0; i < 6; i++) {
      await charts.nth(i).scrollIntoViewIfNeeded();
      expect(await charts.nth(i).isVisible()).toBe(true);
      expect((await charts.nth(i).boundingBox())!.width).toBeGreaterThan(200);
    }
    const graph = page.locator("#execution-graph svg");
    await graph.scrollIntoViewIfNeeded();
    expect(await graph.isVisible()).toBe(true);
    expect(await page.locator('#execution-graph [data-status="succeeded"]').count()).toBeGreaterThan(8);
    await screenshot(page, "index-full", { fullPage: true });
    expect(errors).toEqual([]);
  });

  it("passes axe-core with no serious violations", async () => {
    await expectAccessible(page);
  });

  it("draws a failed specialist's Map item as caught, the rest as succeeded, and the job's end as Needs review", async () => {
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await other.goto(failedSpecialistPage);
    const caught = other.locator('#execution-graph [data-status="caught"]');
    expect(await caught.count()).toBe(1);
    expect(await caught.getAttribute("data-state")).toBe("Draw charts");
    for (const state of ["Write report", "Project retirement", "Run specialists", "Finalize job", "Needs review"]) {
      expect(await other.locator(`#execution-graph [data-state="${state}"]`).getAttribute("data-status"), state).toBe(
        "succeeded",
      );
    }
    // A failed specialist is a reason of the quality gate: the job ends needs_review, not "Analysis complete".
    expect(await other.locator('#execution-graph [data-state="Analysis complete"]').getAttribute("data-status")).toBe(
      "skipped",
    );
    await other.locator("#execution-graph").screenshot({ path: "test-output/browser/graph-failed-specialist.png" });
    await other.close();
  });

  for (const width of [390, 1280]) {
    it(`fits ${width} px without horizontal scrolling, with no text under 11 px`, async () => {
      const narrow = await browser.newPage({ viewport: { width, height: 844 } });
      await narrow.goto(demoPage);
      expect(await horizontalOverflow(narrow)).toBe(0);
      expect(await smallText(narrow, 11)).toEqual([]);
      if (width === 390) await screenshot(narrow, "index-phone", { readme: true });
      await narrow.close();
    });
  }

  it("draws each category in one colour on every chart of every job", async () => {
    const coloursOf = async (url: string) => {
      const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await other.goto(url);
      const pairs = await other.evaluate(() => {
        const { document } = globalThis as any;
        const found: [string, string][] = [];
        for (const entry of document.querySelectorAll("figure.chart .role-legend-symbol path")) {
          // The symbol's group and its label's group share a parent, one per legend entry.
          const label = entry.closest("g")?.parentElement?.querySelector(".role-legend-label text");
          if (label) found.push([label.textContent!.split(":")[0]!, entry.getAttribute("fill")!]);
        }
        for (const bar of document.querySelectorAll('figure.chart [aria-roledescription="bar"]'))
          found.push([bar.getAttribute("aria-label")!.split(":")[0]!, bar.getAttribute("fill")!]);
        return found;
      });
      await other.close();
      const colours = new Map<string, Set<string>>();
      for (const [name, fill] of pairs) colours.set(name, (colours.get(name) ?? new Set()).add(fill));
      return colours;
    };
    const demo = await coloursOf(demoPage);
    const other = await coloursOf(otherPage);
    expect(demo.get("Cash")).toEqual(new Set(["#059669"]));
    for (const colours of [demo, other])
      for (const [name, fills] of colours) expect(fills.size, `${name}: ${[...fills]}`).toBe(1);
    const shared = [...demo.keys()].filter((name) => other.has(name));
    expect(shared.length).toBeGreaterThan(3);
    for (const name of shared) expect(other.get(name), name).toEqual(demo.get(name));
    expect(demo.has("Global")).toBe(false);
  });

  it("prints on at most 5 pages, without the trace or the raw data", async () => {
    const print = await browser.newPage();
    await print.goto(demoPage);
    await print.emulateMedia({ media: "print" });
    expect(await print.locator("#summary").isVisible()).toBe(false);
    const pdf = await print.pdf({ format: "Letter", printBackground: true });
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBeGreaterThan(0);
    expect(pages).toBeLessThanOrEqual(5);
    await print.close();
  });
});
