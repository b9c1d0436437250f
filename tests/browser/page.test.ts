import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDefinition, runJobLocally } from "../../console/run-job.js";
import type { Db } from "../../lib/db/driver.js";
import { saveExecutionTrace } from "../../lib/db/repositories/execution-trace.js";
import { createJob, getJob } from "../../lib/db/repositories/jobs.js";
import { writeJobOutput } from "../../lib/output/job-output.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import { DEMO_USER_ID, seedDemo } from "../../lib/seed/demo.js";
import { executeLocally } from "../../state-machine/local-executor.js";
import { offlineConfig, offlineDeps } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { consoleErrors, expectAccessible, findChromium, launch, screenshot } from "./browser.js";

const chromium = findChromium();

describe.skipIf(!("path" in chromium))("index.html in Chromium", () => {
  let db: Db;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let failedSpecialistPage: string;

  beforeAll(async () => {
    db = await testDb();
    await seedDemo(db);
    const out = await mkdtemp(join(tmpdir(), "alex-browser-"));
    const jobId = await createJob(db, { clerk_user_id: DEMO_USER_ID });
    await runJobLocally(db, offlineConfig(), jobId);
    await writeJobOutput(join(out, "demo"), (await getJob(db, jobId))!, { definition: localDefinition() });

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
    await page.goto(pathToFileURL(join(out, "demo", "index.html")).href);
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
    const charts = page.locator("figure.chart svg");
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

  it("draws a failed specialist's Map item as caught and the rest as succeeded", async () => {
    const other = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await other.goto(failedSpecialistPage);
    const caught = other.locator('#execution-graph [data-status="caught"]');
    expect(await caught.count()).toBe(1);
    expect(await caught.getAttribute("data-state")).toBe("Draw charts");
    for (const state of [
      "Write report",
      "Project retirement",
      "Run specialists",
      "Finalize job",
      "Analysis complete",
    ]) {
      expect(await other.locator(`#execution-graph [data-state="${state}"]`).getAttribute("data-status"), state).toBe(
        "succeeded",
      );
    }
    await other.locator("#execution-graph").screenshot({ path: "test-output/browser/graph-failed-specialist.png" });
    await other.close();
  });
});
