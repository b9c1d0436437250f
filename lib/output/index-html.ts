import { type PriceRefreshRecord, type PricesUsed, pricesNotes } from "../market/price-notes.js";
import { escapeHtml, renderMarkdown } from "./markdown.js";

/** Who produced a payload and when, as shown under a section heading. */
export interface PayloadMeta {
  generated_at?: string;
  agent?: string;
  model?: string;
}

export interface ChartFigure {
  key: string;
  title: string;
  description: string;
  svg: string;
}

export interface OutputPart<T> {
  /** The readable payload, or null when it is missing or unreadable (then `missingReason` says why). */
  value: T | null;
  missingReason?: string;
}

export interface IndexPage {
  jobId: string;
  status: string;
  errorMessage: string | null;
  report: OutputPart<{ markdown: string; meta: PayloadMeta }>;
  charts: OutputPart<{ figures: ChartFigure[]; skipped: { key: string; reason: string }[] }>;
  retirement: OutputPart<{
    markdown: string;
    meta: PayloadMeta;
    fanSvg: string | null;
    numbers: Record<string, unknown> | null;
  }>;
  summary: OutputPart<Record<string, unknown>>;
}

const SECTION_TITLES = {
  report: "Portfolio report",
  charts: "Charts",
  retirement: "Retirement outlook",
  summary: "Summary",
} as const;

/** A self-contained page (inline CSS and SVG, no scripts) showing everything a job produced. */
export function renderIndexHtml(page: IndexPage): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Alex analysis ${escapeHtml(page.jobId)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    "<main>",
    header(page),
    reportSection(page.report),
    chartsSection(page.charts),
    retirementSection(page.retirement),
    summarySection(page.summary),
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function header(page: IndexPage): string {
  const status = escapeHtml(page.status);
  const error = page.status === "failed" || page.errorMessage
    ? `<p class="error"><strong>Error:</strong> ${escapeHtml(page.errorMessage ?? "no error message recorded")}</p>`
    : "";
  return [
    "<header>",
    "<h1>Portfolio analysis</h1>",
    `<p class="meta">Job <code>${escapeHtml(page.jobId)}</code> · status <span class="status status-${status}">${status}</span></p>`,
    error,
    missingNotice(page),
    nav(),
    "</header>",
  ].join("\n");
}

function missingNotice(page: IndexPage): string {
  const missing = (Object.keys(SECTION_TITLES) as (keyof typeof SECTION_TITLES)[])
    .filter((part) => page[part].value === null)
    .map((part) => `<li>${SECTION_TITLES[part]}: ${escapeHtml(page[part].missingReason ?? "not produced")}</li>`);
  return missing.length === 0 ? "" : `<div class="missing"><p>Missing from this job:</p><ul>${missing.join("")}</ul></div>`;
}

function nav(): string {
  const links = Object.entries(SECTION_TITLES).map(([id, title]) => `<a href="#${id}">${title}</a>`);
  return `<nav>${links.join(" · ")}</nav>`;
}

function section(id: keyof typeof SECTION_TITLES, body: string): string {
  return `<section id="${id}">\n<h2>${SECTION_TITLES[id]}</h2>\n${body}\n</section>`;
}

function absent(part: OutputPart<unknown>): string {
  return `<p class="absent">Not available: ${escapeHtml(part.missingReason ?? "not produced")}.</p>`;
}

function metaLine(meta: PayloadMeta): string {
  const parts = [
    meta.agent && `by ${escapeHtml(meta.agent)}`,
    meta.model && `model <code>${escapeHtml(meta.model)}</code>`,
    meta.generated_at && `generated ${escapeHtml(meta.generated_at)}`,
  ].filter(Boolean);
  return parts.length === 0 ? "" : `<p class="meta">${parts.join(" · ")}</p>`;
}

function markdownBlock(markdown: string): string {
  return `<article class="markdown">\n${renderMarkdown(markdown, { headingOffset: 2 })}</article>`;
}

function reportSection(report: IndexPage["report"]): string {
  if (!report.value) return section("report", absent(report));
  return section("report", `${metaLine(report.value.meta)}\n${markdownBlock(report.value.markdown)}`);
}

function chartsSection(charts: IndexPage["charts"]): string {
  if (!charts.value) return section("charts", absent(charts));
  const { figures, skipped } = charts.value;
  const grid = figures.length === 0 ? '<p class="absent">No charts were drawn.</p>' : `<div class="grid">\n${figures.map(figure).join("\n")}\n</div>`;
  const skippedList = skipped.length === 0
    ? ""
    : `<div class="missing"><p>Charts that could not be drawn:</p><ul>${skipped
        .map((s) => `<li><code>${escapeHtml(s.key)}</code>: ${escapeHtml(s.reason)}</li>`)
        .join("")}</ul></div>`;
  return section("charts", `${grid}\n${skippedList}`);
}

function figure(chart: ChartFigure): string {
  return [
    `<figure class="chart" id="chart-${escapeHtml(chart.key)}">`,
    `<h3>${escapeHtml(chart.title)}</h3>`,
    chart.svg,
    chart.description ? `<figcaption>${escapeHtml(chart.description)}</figcaption>` : "",
    "</figure>",
  ].join("\n");
}

function retirementSection(retirement: IndexPage["retirement"]): string {
  if (!retirement.value) return section("retirement", absent(retirement));
  const { meta, numbers, fanSvg, markdown } = retirement.value;
  const fan = fanSvg
    ? `<figure class="chart wide">\n${fanSvg}\n<figcaption>Range of simulated portfolio values by age: the outer band holds 80% of outcomes, the inner band 50%, the line is the median.</figcaption>\n</figure>`
    : '<p class="absent">No projection rows to draw.</p>';
  return section("retirement", [metaLine(meta), numbers ? keyValueTable(numbers) : "", fan, markdownBlock(markdown)].join("\n"));
}

function summarySection(summary: IndexPage["summary"]): string {
  if (!summary.value) return section("summary", absent(summary));
  return section("summary", `${pricesParagraph(summary.value.prices)}${keyValueTable(summary.value)}`);
}

/** "Prices as of …", with stale and user-given prices flagged, from summary_payload.prices. */
function pricesParagraph(prices: unknown): string {
  const parsed = prices as { used?: PricesUsed; refresh?: PriceRefreshRecord | null } | undefined;
  if (!parsed?.used) return "";
  const notes = pricesNotes(parsed.used, parsed.refresh);
  return notes.length ? `<p class="prices">${notes.map(escapeHtml).join(" ")}</p>
` : "";
}

function keyValueTable(entries: Record<string, unknown>): string {
  const rows = Object.entries(entries).map(
    ([key, value]) => `<tr><th>${escapeHtml(humanize(key))}</th><td>${cell(value)}</td></tr>`,
  );
  return `<table class="kv">\n${rows.join("\n")}\n</table>`;
}

function humanize(key: string): string {
  const words = key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Scalars as text, lists of scalars comma-joined, objects as nested tables, anything else as JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "number") return escapeHtml(value.toLocaleString("en-US", { maximumFractionDigits: 4 }));
  if (typeof value === "string" || typeof value === "boolean") return escapeHtml(String(value));
  if (Array.isArray(value) && value.every(isScalar)) return value.map(cell).join(", ");
  if (isPlainObject(value)) return keyValueTable(value);
  return `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
}

const isScalar = (value: unknown) => value === null || ["string", "number", "boolean"].includes(typeof value);
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const STYLE = `
:root { color-scheme: light; --ink: #111827; --muted: #6B7280; --line: #E5E7EB; --accent: #3B82F6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #F9FAFB; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 64px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 40px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); font-size: 22px; }
section, header { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 4px 24px 20px; margin-top: 20px; }
header { padding-top: 20px; }
.meta { color: var(--muted); font-size: 14px; margin: 4px 0 12px; }
.status { font-weight: 600; padding: 1px 8px; border-radius: 999px; background: var(--line); }
.status-completed { background: #D1FAE5; color: #065F46; }
.status-failed { background: #FEE2E2; color: #991B1B; }
.status-running, .status-pending { background: #FEF3C7; color: #92400E; }
.error { background: #FEF2F2; border: 1px solid #FECACA; border-radius: 8px; padding: 10px 14px; color: #991B1B; }
.missing { background: #FFFBEB; border: 1px solid #FDE68A; border-radius: 8px; padding: 4px 14px; font-size: 14px; }
.absent { color: var(--muted); font-style: italic; }
nav { font-size: 14px; margin-top: 12px; }
nav a, .markdown a { color: var(--accent); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 20px; }
figure.chart { margin: 0; }
figure.chart h3 { margin: 8px 0; font-size: 16px; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
.markdown table, table.kv { border-collapse: collapse; margin: 12px 0; font-size: 14px; }
.markdown th, .markdown td, table.kv th, table.kv td { border: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
table.kv th { background: #F3F4F6; font-weight: 600; white-space: nowrap; }
pre { margin: 0; white-space: pre-wrap; font-size: 13px; }
.markdown pre { background: #F3F4F6; padding: 10px; border-radius: 6px; overflow-x: auto; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.92em; }
`;
