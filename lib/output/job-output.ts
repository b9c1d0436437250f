import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { ChartKey, StoredChart } from "../charts/chart.js";
import { type FanChartRow, fanClipNote, inferRetirementAge, renderFanChartSvg } from "../charts/fan-chart.js";
import { renderChartSvg } from "../charts/render.js";
import { stalePricesNote } from "../market/price-age.js";
import { plannedActions, readRetirementOutlook, readReview, topActions } from "./adapters.js";
import {
  type AslDefinition,
  ExecutionTrace,
  executionGraph,
  renderExecutionGraphSvg,
  stateTimings,
} from "./execution-graph.js";
import {
  type ChartFigure,
  type ExecutionView,
  type IndexPage,
  type OutputPart,
  type PayloadMeta,
  pageTitle,
  renderIndexBody,
  renderIndexHtml,
  type SummaryCards,
} from "./index-html.js";

/**
 * The job fields the output needs. Payloads are `unknown` because they come from JSONB: each is
 * checked here, extra fields are ignored, and a null or unreadable payload is reported as missing.
 */
export interface JobOutputSource {
  id: string;
  status: string;
  error_message: string | null;
  report_payload: unknown;
  charts_payload: unknown;
  retirement_payload: unknown;
  summary_payload: unknown;
  /** When the job was created (the page's date when the summary has no completion time). */
  created_at?: string | Date | null;
  /** The person's display name (otherwise read from the retirement outlook's `name`). */
  person?: string | null;
}

export const OUTPUT_FILES = {
  report: "report.md",
  chartsDir: "charts",
  retirement: "retirement.md",
  fan: "retirement-fan.svg",
  summary: "summary.json",
  graph: "execution.svg",
  index: "index.html",
} as const;

const Meta = {
  generated_at: z.string().optional(),
  agent: z.string().optional(),
  model: z.string().optional(),
};
const ReportPayload = z.looseObject({ content: z.string(), ...Meta });
const ProjectionRow = z.looseObject({
  year: z.number(),
  age: z.number(),
  phase: z.string(),
  p10: z.number(),
  p25: z.number(),
  p50: z.number(),
  p75: z.number(),
  p90: z.number(),
});
const RetirementPayload = z.looseObject({
  analysis: z.string(),
  ...Meta,
  monte_carlo: z.record(z.string(), z.unknown()).nullish(),
  projections: z.array(ProjectionRow).nullish(),
});
const AnyObject = z.record(z.string(), z.unknown());
/** The fan chart's file, and on the page its wide (desktop) and narrow (phone) drawings. */
const FAN_WIDTH = { file: 900, wide: 760, narrow: 340 } as const;

/**
 * Writes what a job produced into `dir`: report.md, charts/<key>.svg, retirement.md with
 * retirement-fan.svg, summary.json and a self-contained index.html. Parts whose payload is missing
 * are skipped (index.html says so). Same input, same bytes. Returns the written paths, in order.
 */
export async function writeJobOutput(
  dir: string,
  job: JobOutputSource,
  options: OutputOptions = {},
): Promise<string[]> {
  const { files, page } = await buildJobOutput(job, options);
  files.set(OUTPUT_FILES.index, renderIndexHtml(page));
  return writeAll(dir, files);
}

/** The page's title (person and date, as index.html's) and content, as the console shows it (index.html's body). */
export async function renderJobPage(
  job: JobOutputSource,
  options: OutputOptions = {},
): Promise<{ title: string; body: string }> {
  const { page } = await buildJobOutput(job, options);
  return { title: pageTitle(page), body: renderIndexBody(page) };
}

export interface OutputOptions {
  /** The state machine that ran the job: with the trace saved in the summary, the page draws the execution. */
  definition?: AslDefinition;
  /** The job's agent trace as an HTML section (lib/tracing/trace-html.ts), shown under "How this analysis ran". */
  traceHtml?: string;
}

async function buildJobOutput(
  job: JobOutputSource,
  options: OutputOptions,
): Promise<{ files: Map<string, string>; page: IndexPage }> {
  const files = new Map<string, string>();
  const chosen = chosenSpecialists(job.summary_payload);
  const report = readSpecialistPart(ReportPayload, job.report_payload, "reporter", chosen);
  const { charts, chartFiles } = await drawCharts(job.charts_payload, chosen);
  const retirement = readSpecialistPart(RetirementPayload, job.retirement_payload, "retirement", chosen);
  const summary = readPart(AnyObject, job.summary_payload, "job summary");
  const graphSvg = executionGraphSvg(job.summary_payload, options.definition);

  if (report.value) files.set(OUTPUT_FILES.report, ensureTrailingNewline(report.value.content));
  for (const [key, svg] of chartFiles) files.set(chartFile(key), svg);
  const fan = retirement.value ? await drawFan(retirement.value) : null;
  if (retirement.value) files.set(OUTPUT_FILES.retirement, retirementMarkdown(retirement.value.analysis, fan !== null));
  if (fan) files.set(OUTPUT_FILES.fan, fan.file);
  if (summary.value) files.set(OUTPUT_FILES.summary, `${JSON.stringify(withoutTrace(summary.value), null, 2)}\n`);
  if (graphSvg) files.set(OUTPUT_FILES.graph, graphSvg);

  const page: IndexPage = {
    jobId: job.id,
    person: job.person ?? personOf(job.retirement_payload),
    date: dateOf(job),
    status: job.status,
    errorMessage: job.error_message,
    report: mapPart(report, (r) => ({ markdown: r.content, meta: metaOf(r) })),
    charts,
    retirement: mapPart(retirement, (r) => ({
      markdown: r.analysis,
      meta: metaOf(r),
      fan: fan && { wide: fan.wide, narrow: fan.narrow, note: fan.note },
      numbers: headlineNumbers(r.monte_carlo),
    })),
    summary: mapPart(summary, withoutTrace),
    cards: summaryCards(job, report.value?.content ?? ""),
    execution: { ...executionView(summary.value), graphSvg },
    traceHtml: options.traceHtml,
  };
  return { files, page };
}

const TracedSummary = z.looseObject({ execution: ExecutionTrace });

/** The drawn execution, when the job's summary holds its trace and the definition is known. */
export function executionGraphSvg(summaryPayload: unknown, definition: AslDefinition | undefined): string | null {
  const traced = TracedSummary.safeParse(summaryPayload);
  if (!traced.success || !definition) return null;
  return renderExecutionGraphSvg(executionGraph(definition, traced.data.execution));
}

function withoutTrace(summary: Record<string, unknown>): Record<string, unknown> {
  const { execution: _trace, ...rest } = summary;
  return rest;
}

const PortfolioTotals = z.looseObject({
  portfolio: z.looseObject({ total_value: z.number(), invested: z.number(), cash: z.number() }),
});
const PricedAt = z.looseObject({
  completed_at: z.string(),
  prices: z.looseObject({ used: z.looseObject({ as_of: z.string().nullable() }) }),
});

/** "prices as of …, N trading days before this valuation" when the prices were over 5 trading days old. */
function stalePricesOf(summary: unknown): string | null {
  const priced = PricedAt.safeParse(summary);
  if (!priced.success) return null;
  const at = new Date(priced.data.completed_at);
  return Number.isNaN(at.getTime()) ? null : stalePricesNote(priced.data.prices.used.as_of, at);
}

function summaryCards(job: JobOutputSource, reportMarkdown: string): SummaryCards {
  const totals = PortfolioTotals.safeParse(job.summary_payload);
  const portfolio = totals.success ? totals.data.portfolio : null;
  return {
    totalValue: portfolio?.total_value ?? null,
    stalePrices: stalePricesOf(job.summary_payload),
    invested: portfolio?.invested ?? null,
    cash: portfolio?.cash ?? null,
    outlook: readRetirementOutlook(job.retirement_payload),
    review: readReview(job.report_payload),
    actions: plannedActions(job.summary_payload) ?? topActions(reportMarkdown),
  };
}

const SummaryRun = z.looseObject({
  model: z.string().optional(),
  usage: z
    .looseObject({
      requests: z.number().optional(),
      input_tokens: z.number().optional(),
      output_tokens: z.number().optional(),
    })
    .optional(),
  timings: z.looseObject({ by_state: z.record(z.string(), z.number()) }).optional(),
});

const NamedOutlook = z.looseObject({ outlook: z.looseObject({ name: z.string().min(1) }) });

function personOf(retirementPayload: unknown): string | null {
  const parsed = NamedOutlook.safeParse(retirementPayload);
  return parsed.success ? parsed.data.outlook.name : null;
}

const CompletedAt = z.looseObject({ completed_at: z.string() });

function dateOf(job: JobOutputSource): string | null {
  const completed = CompletedAt.safeParse(job.summary_payload);
  if (completed.success) return completed.data.completed_at;
  if (job.created_at instanceof Date) return job.created_at.toISOString();
  return job.created_at ?? null;
}

/** Timings in execution order from the saved trace (the graph's own numbers), else the summary's per-state totals. */
function executionView(summary: Record<string, unknown> | null): ExecutionView {
  const run = SummaryRun.safeParse(summary ?? {});
  const data = run.success ? run.data : {};
  const traced = TracedSummary.safeParse(summary);
  return {
    graphSvg: null,
    timings: traced.success
      ? stateTimings(traced.data.execution)
      : Object.entries(data.timings?.by_state ?? {}).map(([state, ms]) => ({ state, ms })),
    model: data.model ?? null,
    usage: data.usage ?? null,
  };
}

async function writeAll(dir: string, files: Map<string, string>): Promise<string[]> {
  const written: string[] = [];
  await mkdir(dir, { recursive: true });
  if ([...files.keys()].some((name) => name.startsWith(`${OUTPUT_FILES.chartsDir}/`))) {
    await mkdir(join(dir, OUTPUT_FILES.chartsDir), { recursive: true });
  }
  for (const [name, content] of files) {
    const path = join(dir, name);
    await writeFile(path, content, "utf8");
    written.push(path);
  }
  return written;
}

function readPart<T>(schema: z.ZodType<T>, payload: unknown, producer: string): OutputPart<T> {
  if (payload === null || payload === undefined)
    return { value: null, missingReason: `no output from the ${producer}` };
  const parsed = schema.safeParse(payload);
  if (parsed.success) return { value: parsed.data };
  return { value: null, missingReason: `the ${producer}'s output is unreadable (${describeIssues(parsed.error)})` };
}

function mapPart<T, U>(part: OutputPart<T>, map: (value: T) => U): OutputPart<U> {
  return part.value ? { value: map(part.value) } : { ...part, value: null };
}

const PRODUCERS = { reporter: "reporter", charter: "charter", retirement: "retirement specialist" } as const;
type Specialist = keyof typeof PRODUCERS;

const PlannedSpecialists = z.looseObject({ chosen: z.array(z.looseObject({ agent: z.string() })) });

/** The specialists the planner chose, as the summary records them; null when there is no such record. */
function chosenSpecialists(summary: unknown): Set<string> | null {
  const parsed = PlannedSpecialists.safeParse(summary);
  return parsed.success ? new Set(parsed.data.chosen.map((s) => s.agent)) : null;
}

/** A specialist's part; one the planner did not choose is "not run", not missing. */
function readSpecialistPart<T>(
  schema: z.ZodType<T>,
  payload: unknown,
  specialist: Specialist,
  chosen: Set<string> | null,
): OutputPart<T> {
  if ((payload === null || payload === undefined) && chosen && !chosen.has(specialist))
    return { value: null, notRun: true, missingReason: `the planner did not choose the ${PRODUCERS[specialist]}` };
  return readPart(schema, payload, PRODUCERS[specialist]);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`)
    .join("; ");
}

/** The page's figures (drawn without a title: the page heads each one) and each chart's titled file. */
async function drawCharts(
  payload: unknown,
  chosen: Set<string> | null,
): Promise<{ charts: IndexPage["charts"]; chartFiles: Map<string, string> }> {
  const chartFiles = new Map<string, string>();
  const entries = readSpecialistPart(AnyObject, payload, "charter", chosen);
  if (!entries.value) return { charts: { ...entries, value: null }, chartFiles };
  const figures: ChartFigure[] = [];
  const skipped: { key: string; reason: string }[] = [];
  const keys = Object.keys(entries.value);
  if (keys.length === 0)
    return { charts: { value: null, missingReason: "the charter produced no charts" }, chartFiles };
  for (const key of keys) {
    const chart = StoredChart.safeParse(entries.value[key]);
    if (!ChartKey.safeParse(key).success) skipped.push({ key, reason: "not a valid chart key" });
    else if (!chart.success) skipped.push({ key, reason: describeIssues(chart.error) });
    else {
      const drawn = await Promise.all([renderChartSvg(chart.data, { title: false }), renderChartSvg(chart.data)]).catch(
        (error: unknown) => failure(error),
      );
      if (Array.isArray(drawn)) {
        figures.push({ key, title: chart.data.title, description: chart.data.description, svg: drawn[0] });
        chartFiles.set(key, drawn[1]);
      } else skipped.push({ key, reason: drawn.reason });
    }
  }
  return { charts: { value: { figures, skipped } }, chartFiles };
}

function failure(error: unknown): { reason: string } {
  return { reason: `rendering failed: ${error instanceof Error ? error.message : String(error)}` };
}

async function drawFan(
  retirement: z.infer<typeof RetirementPayload>,
): Promise<{ file: string; wide: string; narrow: string; note: string } | null> {
  const rows: FanChartRow[] = retirement.projections ?? [];
  if (rows.length === 0) return null;
  const retirementAge = retirementAgeOf(retirement) ?? inferRetirementAge(rows);
  const depletionAge = depletionAgeOf(retirement);
  const draw = (width: number, title?: null) => renderFanChartSvg(rows, { retirementAge, depletionAge, width, title });
  const drawn = await Promise.all([
    draw(FAN_WIDTH.file),
    draw(FAN_WIDTH.wide, null),
    draw(FAN_WIDTH.narrow, null),
  ]).catch(() => null);
  return drawn && { file: drawn[0], wide: drawn[1], narrow: drawn[2], note: fanClipNote(rows) };
}

/** The simulation's own age by which 1 in 10 paths has run out (null: none does), when the payload has it. */
function depletionAgeOf(retirement: z.infer<typeof RetirementPayload>): number | null | undefined {
  const parsed = z
    .looseObject({ depletion_age: z.looseObject({ p10: z.number().nullable() }) })
    .safeParse(retirement.monte_carlo);
  return parsed.success ? parsed.data.depletion_age.p10 : undefined;
}

/** An explicit `retirement_age` (payload, Monte Carlo block or its assumptions) wins over inferring it from phases. */
function retirementAgeOf(retirement: z.infer<typeof RetirementPayload>): number | undefined {
  const monteCarlo = retirement.monte_carlo;
  const assumptions = monteCarlo?.assumptions as { retirement_age?: unknown } | null | undefined;
  const candidates = [retirement.retirement_age, monteCarlo?.retirement_age, assumptions?.retirement_age];
  return candidates.find((age): age is number => typeof age === "number" && Number.isFinite(age));
}

function retirementMarkdown(analysis: string, withFan: boolean): string {
  const picture = withFan
    ? `\n![Projected portfolio value by age in today's dollars, 10th–90th percentile fan](${OUTPUT_FILES.fan})\n`
    : "";
  return `${ensureTrailingNewline(analysis)}${picture}`;
}

function chartFile(key: string): string {
  return `${OUTPUT_FILES.chartsDir}/${key}.svg`;
}

function metaOf(payload: PayloadMeta): PayloadMeta {
  return { generated_at: payload.generated_at, agent: payload.agent, model: payload.model };
}

/** The Monte Carlo block without its arrays (per-year series are drawn, not tabled). */
function headlineNumbers(block: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!block) return null;
  const entries = Object.entries(block).filter(([, value]) => !Array.isArray(value));
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

function ensureTrailingNewline(text: string): string {
  return text.endsWith("\n") ? text : `${text}\n`;
}
