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

  it("refuses a bad upload with the field's path, as the CLI does", async () => {
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
    await expect(page.locator("pre.error").textContent()).resolves.toContain("accounts[0].positions[0].quantity:");
  });

  it("uploads a portfolio file, follows the live graph to Analysis complete and opens the finished job", async () => {
    await page.goto(url);
    await expectAccessible(page);
    await screenshot(page, "console-jobs", { readme: false });
    await page.setInputFiles("#portfolio", resolve("examples/portfolio.json"));
    await page.click("button:not([name])");
    await page.waitForURL(/\/jobs\/[0-9a-f-]+\/live$/);
    await page.locator("#live-status", { hasText: "Analysis complete" }).waitFor({ timeout: 120_000 });
    expect(await page.locator('#live-graph [data-state="Analysis complete"]').getAttribute("data-status")).toBe(
      "succeeded",
    );
    expect(await page.locator('#live-graph [data-status="running"]').count()).toBe(0);
    await screenshot(page, "console-live", { readme: true });
    await page.click("#live-link a");
    await page.waitForURL(/\/jobs\/[0-9a-f-]+$/);
    expect(await page.locator("#overview .card").count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator("#execution-graph svg").isVisible()).toBe(true);
    await page.goto(url);
    expect(await page.locator("#jobs tbody tr").count()).toBe(1);
    expect(await page.locator("#jobs .status").first().textContent()).toBe("completed");
    expect(errors.filter((e) => !e.includes("400"))).toEqual([]);
  }, 180_000);
});
