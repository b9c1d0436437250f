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
  /** Set when the planner did not choose the part's specialist: the part was never due, so it is not "missing". */
  notRun?: boolean;
}

export interface IndexPage {
  jobId: string;
  /** Whose analysis and when: the page's title, heading and tab say this, not the job id. */
  person: string | null;
  /** When the job was created or completed (ISO), shown as a date. */
  date: string | null;
  status: string;
  errorMessage: string | null;
  report: OutputPart<{ markdown: string; meta: PayloadMeta }>;
  charts: OutputPart<{ figures: ChartFigure[]; skipped: { key: string; reason: string }[] }>;
  retirement: OutputPart<{
    markdown: string;
    meta: PayloadMeta;
    /** The fan chart drawn twice, for wide screens and for phones (CSS shows one), and what its axis leaves out. */
    fan: { wide: string; narrow: string; note: string } | null;
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
  /** The three first actions of the job's ranked plan (`summary_payload.actions`), as markdown text. */
  actions: string[];
}

/** How the analysis ran: the drawn state machine and the time each state took, in the order the states ran. */
export interface ExecutionView {
  graphSvg: string | null;
  timings: { state: string; ms: number; status?: string }[];
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
  return documentHtml(pageTitle(page), renderIndexBody(page));
}

/** "Demo Investor's portfolio analysis, 7 December 2026" (the job id only when the person is unknown). */
export function pageTitle(page: Pick<IndexPage, "person" | "date" | "jobId">): string {
  const whose = page.person ? `${page.person}'s portfolio analysis` : `Portfolio analysis ${page.jobId.slice(0, 8)}`;
  const date = humanDate(page.date);
  return date ? `${whose}, ${date}` : whose;
}

/** `2026-12-07T21:54:25Z` → `7 December 2026, 21:54 UTC` (the text itself when it is no time). */
export function humanTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${humanDate(iso)}, ${date.toISOString().slice(11, 16)} UTC`;
}

/** `2026-12-07T21:54:25Z` → `7 December 2026` (UTC), or null. */
function humanDate(iso: string | null | undefined): string | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
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
    page.status === "needs_review"
      ? needsReviewNotice(page)
      : page.status === "failed" || page.errorMessage
        ? `<p class="error"><strong>Error:</strong> ${escapeHtml(page.errorMessage ?? "no error message recorded")}</p>`
        : "";
  const whose = page.person ? `${escapeHtml(page.person)}'s portfolio analysis` : "Portfolio analysis";
  const date = humanDate(page.date);
  return [
    "<header>",
    `<h1>${whose}</h1>`,
    `<p class="meta">${date ? `${escapeHtml(date)} · ` : ""}<span class="status status-${status}">${status}</span> · job <code>${escapeHtml(page.jobId)}</code></p>`,
    error,
    missingNotice(page),
    nav(),
    "</header>",
  ].join("\n");
}

/** A job the quality gate did not pass: its reasons, in amber, before anything else. */
function needsReviewNotice(page: IndexPage): string {
  const gate = page.summary.value?.quality_gate as { reasons?: unknown } | undefined;
  const reasons = Array.isArray(gate?.reasons) ? gate.reasons.map(String) : [page.errorMessage ?? "no reason recorded"];
  return [
    '<div class="needs-review" role="alert"><strong>Needs review:</strong> these outputs did not pass the quality gate.',
    `<ul>${reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join("")}</ul></div>`,
  ].join("\n");
}

function missingNotice(page: IndexPage): string {
  const missing = PARTS.filter((part) => page[part].value === null && !page[part].notRun).map(
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
  const lead = part.notRun ? "Not part of this analysis" : "Not available";
  return `<p class="absent">${lead}: ${escapeHtml(part.missingReason ?? "not produced")}.</p>`;
}

function metaLine(meta: PayloadMeta): string {
  const parts = [
    meta.agent && `by ${escapeHtml(meta.agent)}`,
    meta.model && `model <code>${escapeHtml(meta.model)}</code>`,
    meta.generated_at && `generated ${escapeHtml(humanTime(meta.generated_at))}`,
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

const FAN_CAPTION =
  "Range of simulated portfolio values by age, in today's dollars: the outer band holds 80% of outcomes, the inner band 50%, the line is the median; the red line is $0, where the money has run out.";

function retirementSection(retirement: IndexPage["retirement"]): string {
  if (!retirement.value) return section("retirement", absent(retirement));
  const { meta, fan, markdown } = retirement.value;
  const figure = fan
    ? [
        '<figure class="chart wide" id="fan-chart">',
        "<h3>Projected portfolio value</h3>",
        `<div class="fan-wide">${fan.wide}</div>`,
        `<div class="fan-narrow">${fan.narrow}</div>`,
        `<figcaption>${escapeHtml(`${FAN_CAPTION}${fan.note ? ` ${fan.note}` : ""}`)}</figcaption>`,
        "</figure>",
      ].join("\n")
    : '<p class="absent">No projection rows to draw.</p>';
  return section("retirement", [metaLine(meta), figure, markdownBlock(markdown)].join("\n"));
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
      ? '<p class="note">No action plan was computed for this job.</p>'
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
    (t) =>
      `<tr><th>${escapeHtml(t.state)}</th><td>${t.ms.toLocaleString("en-US")} ms${t.status && t.status !== "succeeded" ? ` (${escapeHtml(t.status)})` : ""}</td></tr>`,
  );
  const timings =
    rows.length === 0
      ? ""
      : `<table class="kv timings"><caption>Time per state, in the order they ran</caption>${rows.join("")}</table>`;
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
.status-needs_review { background: #FDE68A; color: #78350F; }
.needs-review { background: #FFFBEB; border: 1px solid #F59E0B; border-radius: 8px; padding: 10px 14px; color: #78350F; }
.status-running, .status-pending { background: #FEF3C7; color: #92400E; }
.error { background: #FEF2F2; border: 1px solid #FECACA; border-radius: 8px; padding: 10px 14px; color: #991B1B; }
.missing { background: #FFFBEB; border: 1px solid #FDE68A; border-radius: 8px; padding: 4px 14px; font-size: 14px; }
.absent { color: var(--muted); font-style: italic; }
nav { font-size: 14px; margin-top: 12px; }
nav a, .markdown a { color: var(--accent); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 340px), 1fr)); gap: 20px 28px; }
figure.chart { margin: 0; }
figure.chart h3 { margin: 8px 0; font-size: 16px; }
figure.chart svg { display: block; width: 100%; max-width: 560px; height: auto; }
figure.chart.wide svg { max-width: 900px; }
.fan-narrow { display: none; }
figcaption { color: var(--muted); font-size: 14px; margin-top: 6px; }
.markdown table, table.kv { border-collapse: collapse; margin: 12px 0; font-size: 14px; max-width: 100%; }
.markdown table { display: block; overflow-x: auto; }
table.kv td { overflow-wrap: anywhere; }
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
figure.graph svg { display: block; max-width: 100%; height: auto; }
table.kv caption { text-align: left; font-weight: 600; padding-bottom: 4px; }
details { margin: 12px 0; }
details summary { cursor: pointer; font-weight: 600; }
details pre { background: #F3F4F6; padding: 10px; border-radius: 6px; max-height: 480px; overflow: auto; }
@media (max-width: 800px) { .cards { grid-template-columns: 1fr 1fr; } .grid { grid-template-columns: 1fr; } }
@media (max-width: 600px) {
  main { padding: 8px 8px 48px; }
  section, header { padding: 2px 12px 14px; margin-top: 12px; }
  header { padding-top: 10px; }
  h1, header h1 { font-size: 21px; }
  h2 { font-size: 19px; }
  .fan-wide { display: none; }
  .fan-narrow { display: block; }
  figure.graph svg { max-width: none; }
  table.kv th { white-space: normal; }
  .markdown td:last-child, .markdown th:last-child { min-width: 12em; }
}
@media print {
  body { background: white; font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav, #summary, .fan-narrow, #trace .trace-body, #execution figure.graph, #execution table.timings { display: none; }
  body { font-size: 9.5pt; line-height: 1.4; }
  h2 { font-size: 14pt; margin: 10px 0 6px; }
  .markdown h3 { font-size: 12pt; } .markdown h4 { font-size: 10.5pt; }
  .fan-wide { display: block; }
  .grid { grid-template-columns: 1fr 1fr 1fr; gap: 6px 12px; }
  figure.chart svg { max-height: 210px; width: auto; max-width: 100%; }
  figure.chart.wide svg { max-height: 250px; }
  figcaption { font-size: 8.5pt; }
  section, header, .card { border: 0; border-radius: 0; padding: 0; margin-top: 12px; }
  .cards { grid-template-columns: repeat(4, 1fr); }
  figure, .card, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
`;
