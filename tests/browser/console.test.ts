import { mkdtemp, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDefinition } from "../../console/run-job.js";
import { createConsoleApp } from "../../console/server.js";
import type { Db } from "../../lib/db/driver.js";
import { offlineConfig } from "../support/agents.js";
import { testDb } from "../support/db.js";
import { consoleErrors, expectAccessible, findChromium, launch, screenshot } from "./browser.js";

const chromium = findChromium();

describe.skipIf(!("path" in chromium))("the console in Chromium", () => {
  let db: Db;
  let server: ServerType;
  let idle: () => Promise<unknown>;
  let url: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    db = await testDb();
    const console = createConsoleApp({ db, config: offlineConfig(), definition: localDefinition() });
    idle = console.idle;
    server = await new Promise<ServerType>((ready) => {
      const started = serve({ fetch: console.app.fetch, port: 0, hostname: "127.0.0.1" }, () => ready(started));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launch((chromium as { path: string }).path);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true })).newPage();
    errors = consoleErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    await idle?.();
    await db?.close();
  });

  it("refuses a bad upload in plain words on the same page, keeping the form and the chosen file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "alex-upload-"));
    const bad = join(dir, "bad.json");
    await writeFile(
      bad,
      JSON.stringify({
        user: { display_name: "X" },
        accounts: [{ name: "a", type: "401k", positions: [{ symbol: "SPY", quantity: -1 }] }],
      }),
    );
    await page.goto(url);
    await page.setInputFiles("#portfolio", bad);
    await page.click("button:not([name])");
    const problem = page.locator("#form-error");
    await problem.waitFor({ state: "visible" });
    await expect(problem.textContent()).resolves.toContain("accounts[0].positions[0].quantity: must be");
    await expect(problem.textContent()).resolves.not.toMatch(/Too small|expected number/);
    await expect(problem.textContent()).resolves.toContain("bad.json was not analysed");
    expect(page.url()).toBe(`${url}/`);
    expect(await page.locator("#portfolio").evaluate((input: any) => input.files?.[0]?.name)).toBe("bad.json");
  });

  it("answers an unknown page or job with a friendly page and a way back", async () => {
    for (const [path, heading] of [
      ["/nope", "Page not found"],
      ["/jobs/00000000-0000-4000-8000-000000000000", "Job not found"],
      ["/jobs/00000000-0000-4000-8000-000000000000/live", "Job not found"],
    ]) {
      const response = await page.goto(`${url}${path}`);
      expect(response?.status(), path).toBe(404);
      await expect(page.locator("#error h2").textContent()).resolves.toBe(heading);
      await page.click("#error a");
      await page.waitForURL(`${url}/`);
    }
  });

  it("uploads a file, keeps the live graph's layout, lists running states and opens the job", async () => {
    const frames: { positions: string; status: string }[] = [];
    await page.exposeFunction("recordFrame", (frame: { positions: string; status: string }) => frames.push(frame));
    await page.addInitScript(() => {
      const { document, MutationObserver } = globalThis as any;
      const record = () => {
        const graph = document.getElementById("live-graph");
        if (!graph) return;
        const positions = [...graph.querySelectorAll("[data-state]")]
          .map((node: any) => {
            const rect = node.querySelector("rect")!;
            return `${node.getAttribute("data-state")}@${rect.getAttribute("x")},${rect.getAttribute("y")}`;
          })
          .join(" ");
        const status = document.getElementById("live-status")?.textContent ?? "";
        (globalThis as unknown as { recordFrame: (f: object) => void }).recordFrame({ positions, status });
      };
      document.addEventListener("DOMContentLoaded", () => {
        record();
        const graph = document.getElementById("live-graph");
        if (!graph) return;
        new MutationObserver(record).observe(graph, { childList: true });
        new MutationObserver(record).observe(document.getElementById("live-status")!, {
          childList: true,
          characterData: true,
        });
      });
    });
    await page.goto(url);
    await expectAccessible(page);
    await page.setInputFiles("#portfolio", resolve("examples/portfolio.json"));
    await page.click("button:not([name])");
    await page.waitForURL(/\/jobs\/[0-9a-f-]+\/live$/);
    await expect(page.title()).resolves.toBe("Analysing Sam Example's portfolio (live)");
    // The page opens the finished job by itself; the first time, a 204 answer keeps the live view for its screenshot.
    const jobPage = /\/jobs\/[0-9a-f-]+$/;
    let opened = false;
    await page.route(jobPage, (route) => {
      opened = true;
      return route.fulfill({ status: 204 });
    });
    await page.locator("#live-status", { hasText: "Analysis complete" }).waitFor({ timeout: 120_000 });
    await expect.poll(() => opened, { timeout: 10_000 }).toBe(true);
    await screenshot(page, "console-live", { readme: true, fullPage: true });
    await page.unroute(jobPage);
    await page.click("#live-link a");
    await page.waitForURL(jobPage, { timeout: 60_000 });

    expect(frames.length).toBeGreaterThan(3);
    expect(new Set(frames.map((frame) => frame.positions)).size).toBe(1);
    expect(frames[0]!.positions).not.toContain("Unknown specialist");
    expect(frames.some((frame) => /^Running: [^,]+(, [^,]+)+$/.test(frame.status))).toBe(true);
    const last = frames.at(-1)!;
    expect(last.status).toBe("Analysis complete: opening its page…");

    expect(await page.title()).toMatch(/^Sam Example's portfolio analysis, \d{1,2} \w+ \d{4}$/);
    expect(await page.locator("#overview .card").count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator("#execution-graph svg").isVisible()).toBe(true);
    await page.goto(url);
    const row = page.locator("#jobs tbody tr").first();
    expect(await page.locator("#jobs tbody tr").count()).toBe(1);
    await expect(row.locator("td").allTextContents()).resolves.toEqual([
      "Sam Example",
      expect.stringMatching(/^\$[\d,]+$/),
      expect.stringMatching(/% of paths$/),
      "completed",
      expect.stringMatching(/just now|min ago/),
    ]);
    await screenshot(page, "console-jobs", { readme: true });
    expect(errors.filter((e) => !e.includes("400") && !e.includes("404"))).toEqual([]);
  }, 180_000);
});
