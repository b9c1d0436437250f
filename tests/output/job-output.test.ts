import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toStoredChart } from "../../lib/charts/chart.js";
import { type JobOutputSource, writeJobOutput } from "../../lib/output/job-output.js";
import { assetAllocation, projectionRows } from "../charts/fixtures.js";

const REPORT = [
  "# Portfolio Report",
  "",
  "## Executive summary",
  "",
  "Your portfolio is **diversified**.",
  "",
  '<script>alert("report")</script>',
  "",
  'Inline <iframe src="https://evil.example"></iframe> and [a link](javascript:alert(1)).',
].join("\n");

function completedJob(): JobOutputSource {
  const { key, chart } = toStoredChart(assetAllocation);
  return {
    id: "6f1c2c59-1c1e-4c55-9d5b-0d3f0a5c7e11",
    status: "completed",
    error_message: null,
    report_payload: {
      content: REPORT,
      generated_at: "2025-01-02T03:04:05Z",
      agent: "reporter",
      model: "offline",
      extra: 1,
    },
    charts_payload: {
      [key]: chart,
      top_holdings: {
        ...chart,
        title: "Top Holdings",
        type: "horizontalBar",
        description: "Largest positions by value",
      },
    },
    retirement_payload: {
      analysis: "# Retirement Outlook\n\nYou are on track.",
      generated_at: "2025-01-02T03:04:06Z",
      agent: "retirement",
      model: "offline",
      monte_carlo: {
        success_rate: 84.2,
        median_final_value: 1234567.891,
        percentiles_by_year: [{ year: 0 }],
        assumptions: { inflation: 0.025, retirement_age: 67 },
      },
      projections: projectionRows(65),
    },
    summary_payload: { specialists: ["reporter", "charter", "retirement"], model: "offline", succeeded: 3 },
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "alex-output-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (name: string) => readFile(join(dir, name), "utf8");
const names = (paths: string[]) => paths.map((path) => relative(dir, path));

describe("writeJobOutput", () => {
  it("writes every part of a completed job", async () => {
    const written = await writeJobOutput(dir, completedJob());
    expect(names(written)).toEqual([
      "report.md",
      "charts/asset_allocation.svg",
      "charts/top_holdings.svg",
      "retirement.md",
      "retirement-fan.svg",
      "summary.json",
      "index.html",
    ]);
    expect((await readdir(join(dir, "charts"))).sort()).toEqual(["asset_allocation.svg", "top_holdings.svg"]);
    expect(await read("report.md")).toBe(`${REPORT}\n`);
    expect(await read("charts/asset_allocation.svg")).toMatch(/^<svg[\s\S]*Asset Class Distribution/);
    expect(await read("retirement.md")).toContain("](retirement-fan.svg)");
    expect(await read("retirement-fan.svg")).toContain("Retirement at 67");
    expect(JSON.parse(await read("summary.json"))).toEqual(completedJob().summary_payload);
    expect(await read("summary.json")).toContain('\n  "model": "offline"');
  });

  it("builds a self-contained index.html with inline SVGs and rendered markdown", async () => {
    await writeJobOutput(dir, completedJob());
    const html = await read("index.html");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    // Two charts, the fan chart twice (wide screens and phones).
    expect(html.split("<svg").length - 1).toBe(4);
    expect(html).toContain('<div class="fan-wide"><svg');
    expect(html).toContain('<div class="fan-narrow"><svg');
    expect(html).toContain("<h3>Portfolio Report</h3>");
    expect(html).toContain("<h4>Executive summary</h4>");
    expect(html).toContain("<h3>Retirement Outlook</h3>");
    expect(html).toContain("<h3>Top Holdings</h3>");
    expect(html).toContain("<figcaption>Largest positions by value</figcaption>");
    expect(html).toContain("6f1c2c59-1c1e-4c55-9d5b-0d3f0a5c7e11");
    expect(html).toMatch(/<th>Success rate<\/th><td>84.2<\/td>/);
    expect(html).toMatch(/<th>Median final value<\/th><td>1,234,567.891<\/td>/);
    expect(html).not.toContain("Percentiles by year");
    expect(html).toContain("<details><summary>Job summary (JSON)</summary>");
    expect(html).toContain("&quot;specialists&quot;: [\n    &quot;reporter&quot;");
    expect(html).not.toMatch(/<details open/);
    expect(html).toMatch(/<th>Assumptions<\/th><td><table class="kv">\n<tr><th>Inflation<\/th><td>0.025<\/td>/);
    expect(html).not.toContain("Missing from this job");
    expect(html).not.toMatch(/<link|<img|src="http|<script/i);
  });

  it("never lets markdown from a model become markup", async () => {
    await writeJobOutput(dir, completedJob());
    const html = await read("index.html");
    expect(html).not.toMatch(/<script|<iframe/i);
    expect(html).not.toContain("javascript:");
    expect(html).toContain("&lt;script&gt;alert(&quot;report&quot;)&lt;/script&gt;");
    expect(html).toContain("&lt;iframe");
  });

  it("gives ids unique across the inlined SVGs", async () => {
    await writeJobOutput(dir, completedJob());
    const ids = [...(await read("index.html")).matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("writes the same bytes for the same job", async () => {
    const other = await mkdtemp(join(tmpdir(), "alex-output-"));
    try {
      const first = await writeJobOutput(dir, completedJob());
      await writeJobOutput(other, completedJob());
      for (const name of names(first)) {
        expect(await readFile(join(other, name), "utf8")).toBe(await read(name));
      }
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("skips missing payloads and says which parts are missing", async () => {
    const job = { ...completedJob(), report_payload: null, charts_payload: null, summary_payload: null };
    const written = names(await writeJobOutput(dir, job));
    expect(written).toEqual(["retirement.md", "retirement-fan.svg", "index.html"]);
    const html = await read("index.html");
    expect(html).toContain("Missing from this job");
    expect(html).toContain("Portfolio report: no output from the reporter");
    expect(html).toContain("Charts: no output from the charter");
    expect(html).toContain("Summary: no output from the job summary");
    expect(html.split("<svg").length - 1).toBe(2);
  });

  it("does not call a part the planner never chose missing; a chosen part without output still is", async () => {
    const job = {
      ...completedJob(),
      report_payload: null,
      charts_payload: null,
      retirement_payload: null,
      summary_payload: { chosen: [{ agent: "charter", reason: "two or more positions" }], model: "offline" },
    };
    await writeJobOutput(dir, job);
    const html = await read("index.html");
    expect(html).toContain("Not part of this analysis: the planner did not choose the reporter.");
    expect(html).toContain("Not part of this analysis: the planner did not choose the retirement specialist.");
    const notice = html.slice(html.indexOf("Missing from this job"), html.indexOf("</div>", html.indexOf("Missing")));
    expect(notice).toContain("Charts: no output from the charter");
    expect(notice).not.toContain("reporter");
    expect(notice).not.toContain("retirement");

    await writeJobOutput(dir, { ...job, summary_payload: { chosen: [], model: "offline" } });
    expect(await read("index.html")).not.toContain("Missing from this job");
  });

  it("shows a failed job's error with nothing else", async () => {
    const job: JobOutputSource = {
      id: "job-1",
      status: "failed",
      error_message: "Planner <crashed>",
      report_payload: null,
      charts_payload: null,
      retirement_payload: null,
      summary_payload: null,
    };
    expect(names(await writeJobOutput(dir, job))).toEqual(["index.html"]);
    const html = await read("index.html");
    expect(html).toContain("status-failed");
    expect(html).toContain("<strong>Error:</strong> Planner &lt;crashed&gt;");
    expect(html).toContain("Retirement outlook: no output from the retirement specialist");
  });

  it("draws the valid charts and lists the ones it cannot draw", async () => {
    const { chart } = toStoredChart(assetAllocation);
    const job = {
      ...completedJob(),
      charts_payload: {
        good: chart,
        legacy: { ...chart, type: "column" },
        "Bad Key": chart,
        empty: { ...chart, data: [] },
      },
    };
    const written = names(await writeJobOutput(dir, job));
    expect(written.filter((name) => name.startsWith("charts/"))).toEqual(["charts/good.svg"]);
    const html = await read("index.html");
    expect(html).toContain("Charts that could not be drawn");
    expect(html).toMatch(/<code>legacy<\/code>: type: /);
    expect(html).toContain("<code>Bad Key</code>: not a valid chart key");
    expect(html).toMatch(/<code>empty<\/code>: data: /);
  });

  it("treats an unreadable payload as missing and a payload without projections as text only", async () => {
    const job = {
      ...completedJob(),
      report_payload: { markdown: "wrong field" },
      retirement_payload: { analysis: "Just words.", agent: "retirement" },
    };
    const written = names(await writeJobOutput(dir, job));
    expect(written).not.toContain("report.md");
    expect(written).not.toContain("retirement-fan.svg");
    expect(await read("retirement.md")).toBe("Just words.\n");
    const html = await read("index.html");
    expect(html).toContain("Portfolio report: the reporter&#39;s output is unreadable (content:");
    expect(html).toContain("No projection rows to draw.");
  });

  it("reports an empty charts payload as missing", async () => {
    await writeJobOutput(dir, { ...completedJob(), charts_payload: {} });
    expect(await read("index.html")).toContain("Charts: the charter produced no charts");
  });
});
