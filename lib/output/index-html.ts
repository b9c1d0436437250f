import { usdRounded } from "../format.js";
import { type PriceRefreshRecord, type PricesUsed, pricesNotes } from "../market/price-notes.js";
import type { RetirementOutlook, ReviewVerdict } from "./adapters.js";
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
  cards: SummaryCards;
  execution: ExecutionView;
  /** The agent trace section (lib/tracing/trace-html.ts), when the job's spans were read. */
  traceHtml?: string;
}

/** What the first screen shows; every amount in today's dollars. */
export interface SummaryCards {
  totalValue: number | null;
  /** Set when the prices behind the value are over 5 trading days old: shown beside the value. */
  stalePrices?: string | null;
  invested: number | null;
  cash: number | null;
  outlook: RetirementOutlook | null;
  review: ReviewVerdict | null;
  /** Markdown text of the report's three most important actions. */
  actions: string[];
}

/** How the analysis ran: the drawn state machine and the time each state took. */
export interface ExecutionView {
  graphSvg: string | null;
  timings: { state: string; ms: number }[];
  model: string | null;
  usage: { requests?: number; input_tokens?: number; output_tokens?: number } | null;
}

const SECTION_TITLES = {
  report: "Portfolio report",
  charts: "Charts",
  retirement: "Retirement outlook",
  execution: "How this analysis ran",
  summary: "Raw data",
} as const;
type PartName = "report" | "charts" | "retirement" | "summary";
const PARTS: PartName[] = ["report", "charts", "retirement", "summary"];

/** A self-contained page (inline CSS and SVG, no scripts) showing everything a job produced. */
export function renderIndexHtml(page: IndexPage): string {
  return documentHtml(`Alex analysis ${page.jobId}`, renderIndexBody(page));
}

/** The page's content without the document around it (the console embeds it in its own page). */
export function renderIndexBody(page: IndexPage): string {
  return [
    header(page),
    summaryCards(page.cards),
    pricesParagraph(page.summary.value?.prices),
    reportSection(page.report),
    chartsSection(page.charts),
    retirementSection(page.retirement),
    executionSection(page.execution, page.traceHtml),
    rawDataSection(page),
  ].join("\n");
}

const OFFLINE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** A standalone HTML document with the page's stylesheet; `body` and `head` are trusted markup. */
export function documentHtml(title: string, body: string, options: { head?: string; policy?: string } = {}): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${options.policy ?? OFFLINE_POLICY}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    options.head ?? "",
    "</head>",
    "<body>",
    "<main>",
    body,
    "</main>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function header(page: IndexPage): string {
  const status = escapeHtml(page.status);
  const error =
    page.status === "failed" || page.errorMessage
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
  const missing = PARTS.filter((part) => page[part].value === null).map(
    (part) =>
      `<li>${part === "summary" ? "Summary" : SECTION_TITLES[part]}: ${escapeHtml(page[part].missingReason ?? "not produced")}</li>`,
  );
  return missing.length === 0
    ? ""
    : `<div class="missing"><p>Missing from this job:</p><ul>${missing.join("")}</ul></div>`;
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
  const grid =
    figures.length === 0
      ? '<p class="absent">No charts were drawn.</p>'
      : `<div class="grid">\n${figures.map(figure).join("\n")}\n</div>`;
  const skippedList =
    skipped.length === 0
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
  const { meta, fanSvg, markdown } = retirement.value;
  const fan = fanSvg
    ? `<figure class="chart wide" id="fan-chart">\n${fanSvg}\n<figcaption>Range of simulated portfolio values by age: the outer band holds 80% of outcomes, the inner band 50%, the line is the median.</figcaption>\n</figure>`
    : '<p class="absent">No projection rows to draw.</p>';
  return section("retirement", [metaLine(meta), fan, markdownBlock(markdown)].join("\n"));
}

function summaryCards(cards: SummaryCards): string {
  const items = [
    card(
      "Total value",
      cards.totalValue === null ? "—" : usdRounded(cards.totalValue),
      cards.stalePrices ? `Stale: ${cards.stalePrices}` : "today",
      cards.stalePrices ? " stale" : "",
    ),
    card("Invested", cards.invested === null ? "—" : usdRounded(cards.invested), investedShare(cards)),
    outlookCard(cards.outlook),
    cards.review ? reviewCard(cards.review) : "",
    actionsCard(cards.actions),
  ];
  return `<section id="overview" class="cards" aria-label="Summary">\n${items.filter(Boolean).join("\n")}\n</section>`;
}

function card(title: string, value: string, note: string, extraClass = ""): string {
  return `<div class="card${extraClass}"><h2>${escapeHtml(title)}</h2><p class="value">${escapeHtml(value)}</p><p class="note">${escapeHtml(note)}</p></div>`;
}

function investedShare(cards: SummaryCards): string {
  if (cards.invested === null || cards.cash === null) return "";
  const share =
    cards.totalValue !== null && cards.totalValue > 0
      ? ` (${((cards.invested / cards.totalValue) * 100).toFixed(1)}% invested)`
      : "";
  return `vs ${usdRounded(cards.cash)} in cash${share}`;
}

function outlookCard(outlook: RetirementOutlook | null): string {
  if (!outlook) return card("Retirement outlook", "—", "no projection for this job");
  const target =
    outlook.targetIncomeToday === null ? "the target income" : `${usdRounded(outlook.targetIncomeToday)} a year`;
  const from = outlook.retirementAge === null ? "" : ` from age ${outlook.retirementAge}`;
  const sustains =
    outlook.spendingAtTarget === null
      ? ""
      : `; ${outlook.spendingAtTarget.successRate}% of paths pay ${usdRounded(outlook.spendingAtTarget.perYear)} a year`;
  const assumed = outlook.assumed.length > 0 ? `; ${outlook.assumed.join("; ")}` : "";
  return card(
    "Retirement outlook",
    `${outlook.successRate.toLocaleString("en-US", { maximumFractionDigits: 1 })}% of paths`,
    `fund ${target}${from} (today's dollars)${sustains}${assumed}`,
  );
}

function reviewCard(review: ReviewVerdict): string {
  if (review.kind === "error") return card("Reviewer's score", "—", "the review could not be completed");
  return card(
    "Reviewer's score",
    `${review.score}`,
    review.revised ? "report revised after review" : "report kept as written",
  );
}

function actionsCard(actions: string[]): string {
  const body =
    actions.length === 0
      ? '<p class="note">The report lists no actions.</p>'
      : `<ol>${actions.map((action) => `<li>${renderInline(action)}</li>`).join("")}</ol>`;
  return `<div class="card actions"><h2>Most important actions</h2>${body}</div>`;
}

function renderInline(markdown: string): string {
  return renderMarkdown(markdown).replace(/^<p>|<\/p>\s*$/g, "");
}

function executionSection(execution: ExecutionView, traceHtml = ""): string {
  const graph = execution.graphSvg
    ? `<figure class="graph" id="execution-graph">\n${execution.graphSvg}\n<figcaption>The state machine as it ran: each state coloured by its outcome, with its duration; the specialists ran side by side.</figcaption>\n</figure>`
    : '<p class="absent">No execution trace was saved with this job.</p>';
  const rows = execution.timings.map(
    (t) => `<tr><th>${escapeHtml(t.state)}</th><td>${t.ms.toLocaleString("en-US")} ms</td></tr>`,
  );
  const timings =
    rows.length === 0 ? "" : `<table class="kv"><caption>Time per state</caption>${rows.join("")}</table>`;
  const usage = execution.usage
    ? `<p class="meta">Model <code>${escapeHtml(execution.model ?? "unknown")}</code> · ${execution.usage.requests ?? 0} model requests · ${(execution.usage.input_tokens ?? 0).toLocaleString("en-US")} input and ${(execution.usage.output_tokens ?? 0).toLocaleString("en-US")} output tokens</p>`
    : "";
  return section("execution", [graph, usage, timings, traceHtml].join("\n"));
}

/** "Prices as of …", with stale and user-given prices flagged, from summary_payload.prices. */
function pricesParagraph(prices: unknown): string {
  const parsed = prices as { used?: PricesUsed; refresh?: PriceRefreshRecord | null } | undefined;
  if (!parsed?.used) return "";
  const notes = pricesNotes(parsed.used, parsed.refresh);
  return notes.length ? `<p class="prices">${notes.map(escapeHtml).join(" ")}</p>` : "";
}

function rawDataSection(page: IndexPage): string {
  const numbers = page.retirement.value?.numbers;
  const assumptions = numbers
    ? `<details><summary>Retirement assumptions and results</summary>\n${keyValueTable(numbers)}\n</details>`
    : "";
  const summary = page.summary.value
    ? `<details><summary>Job summary (JSON)</summary>\n<pre>${escapeHtml(JSON.stringify(page.summary.value, null, 2))}</pre>\n</details>`
    : absent(page.summary);
  return section("summary", [assumptions, summary].join("\n"));
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
:root { color-scheme: light; --ink: #111827; --muted: #6B7280; --line: #E5E7EB; --accent: #1D4ED8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #F9FAFB; }
main { max-width: 1040px; margin: 0 auto; padding: 12px 20px 64px; }
h1 { margin: 0 0 4px; font-size: 28px; }
h2 { margin: 24px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); font-size: 22px; }
section, header { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 4px 24px 20px; margin-top: 20px; }
header { padding-top: 14px; padding-bottom: 12px; margin-top: 0; }
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
.back { margin: 0 0 8px; }
form p { margin: 10px 0; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #1D4ED8; background: #2563EB; color: white; cursor: pointer; }
button[name="demo"] { background: white; color: #1D4ED8; }
.markdown pre { background: #F3F4F6; padding: 10px; border-radius: 6px; overflow-x: auto; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.92em; }
header h1 { font-size: 24px; }
header .meta { margin-bottom: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; background: none; border: 0; padding: 0; margin-top: 12px; }
.card { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; }
.card h2 { margin: 0; padding: 0; border: 0; font-size: 13px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
.card .value { margin: 4px 0 2px; font-size: 22px; font-weight: 700; }
.card .note { margin: 0; color: var(--muted); font-size: 13px; line-height: 1.4; }
.card.actions { grid-column: 1 / -1; }
.card.actions ol { margin: 6px 0 0; padding-left: 22px; font-size: 15px; }
figure.graph { margin: 0; overflow-x: auto; }
figure.graph svg { max-width: 100%; height: auto; }
table.kv caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
details { margin: 12px 0; }
details summary { cursor: pointer; font-weight: 600; }
details pre { background: #F3F4F6; padding: 10px; border-radius: 6px; max-height: 480px; overflow: auto; }
@media (max-width: 800px) { .cards { grid-template-columns: 1fr 1fr; } .grid { grid-template-columns: 1fr; } }
@media print {
  body { background: white; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav, #summary { display: none; }
  section, header, .card { border: 0; border-radius: 0; padding: 0; margin-top: 12px; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  figure, .card, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
