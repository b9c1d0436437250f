import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
];

/** The system's Chromium, or why there is none. In CI a missing Chromium is an error, never a skip. */
export function findChromium(): { path: string } | { reason: string } {
  const path = CANDIDATES.find((candidate): candidate is string => !!candidate && existsSync(candidate));
  if (path) return { path };
  const reason = `no Chromium found (tried ${CANDIDATES.filter(Boolean).join(", ")}; apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === "true") throw new Error(`Browser tests cannot run in CI: ${reason}`);
  console.warn(`\n*** SKIPPING browser tests: ${reason} ***\n`);
  return { reason };
}

export const launch = (path: string): Promise<Browser> =>
  chromium.launch({ executablePath: path, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });

/** Where the browser tests leave their screenshots; docs/screenshots gets the README's copies. */
export const OUTPUT_DIR = join("test-output", "browser");
export const README_SHOTS = join("docs", "screenshots");

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; readme?: boolean } = {}) {
  await mkdir(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: options.fullPage ?? false });
  if (options.readme) {
    await mkdir(README_SHOTS, { recursive: true });
    await page.screenshot({ path: join(README_SHOTS, `${name}.png`), fullPage: false });
  }
}

/** Collects console errors and uncaught page errors. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Runs axe-core on the page and expects no serious or critical violations. */
export async function expectAccessible(page: Page) {
  await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const result = await (
      globalThis as unknown as {
        axe: { run: (o: object) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
      }
    ).axe.run({
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      count: v.nodes.length,
      targets: (v.nodes as { target: string[] }[]).slice(0, 6).map((n) => n.target.join(" ")),
    }));
  });
  expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
}
