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

/**
 * Where the browser tests leave their screenshots. The README's copies in docs/screenshots are rewritten only
 * when asked (`ALEX_SCREENSHOTS=1 npx vitest run tests/browser`), so a test run never changes committed files.
 */
export const OUTPUT_DIR = join("test-output", "browser");
export const README_SHOTS = join("docs", "screenshots");
const REFRESH_README_SHOTS = process.env.ALEX_SCREENSHOTS === "1";

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean; readme?: boolean } = {}) {
  await mkdir(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`), fullPage: options.fullPage ?? false });
  if (options.readme && REFRESH_README_SHOTS) {
    await mkdir(README_SHOTS, { recursive: true });
    await page.screenshot({ path: join(README_SHOTS, `${name}.png`), fullPage: options.fullPage ?? false });
  }
}

/** How far the document is wider than the viewport (0: no horizontal scrolling). */
export const horizontalOverflow = (page: Page) =>
  page.evaluate(() => {
    const { documentElement } = (globalThis as any).document;
    return documentElement.scrollWidth - documentElement.clientWidth;
  });

/**
 * Visible text drawn smaller than `min` px on screen: HTML text by its computed size, SVG text by its size
 * times the SVG's scale (rotation aside). Text inside a horizontally scrolling figure counts at its drawn size.
 */
export const smallText = (page: Page, min: number) =>
  page.evaluate((min) => {
    // Runs in the page (this project's TypeScript has no DOM types).
    const { document, getComputedStyle, SVGTextElement } = globalThis as any;
    const found: string[] = [];
    for (const el of document.querySelectorAll("body *")) {
      const own = [...el.childNodes].some((node: any) => node.nodeType === 3 && node.textContent?.trim());
      if (!own || el.closest("details:not([open]), [hidden]")) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      let size = Number.parseFloat(getComputedStyle(el).fontSize);
      if (el instanceof SVGTextElement) {
        const m = el.getScreenCTM();
        size *= m ? Math.hypot(m.a, m.b) : 1;
      }
      if (size < min - 0.05) found.push(`${el.tagName} ${size.toFixed(1)}px "${el.textContent?.trim().slice(0, 30)}"`);
    }
    return found;
  }, min);

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
