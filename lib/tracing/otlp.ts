/**
 * OTLP/HTTP export of a task's stored spans (loaded only when OTEL_EXPORTER_OTLP_ENDPOINT is set, so
 * the OpenTelemetry SDK costs nothing otherwise). Attributes follow the GenAI semantic conventions
 * (`gen_ai.*`) plus `alex.*`; tool arguments and results, prompts and model output are sent only with
 * ALEX_TRACE_CONTENT=1.
 */
import { type Attributes, type Context, ROOT_CONTEXT, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { TraceSpan } from "../db/repositories/traces.js";

export interface OtlpOptions {
  /** Base endpoint as in OTEL_EXPORTER_OTLP_ENDPOINT; spans go to `<endpoint>/v1/traces`. */
  endpoint: string;
  content: boolean;
  timeoutMillis?: number;
}

const tracesUrl = (endpoint: string) => `${endpoint.replace(/\/+$/, "")}/v1/traces`;

/** Sends the spans as OpenTelemetry spans with the same tree, timing and token counts; resolves once delivered. */
export async function exportSpans(spans: TraceSpan[], options: OtlpOptions): Promise<void> {
  const exporter = new OTLPTraceExporter({
    url: tracesUrl(options.endpoint),
    timeoutMillis: options.timeoutMillis ?? 5_000,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": "alex-orchestra" }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer("alex-orchestra/tracing");
  const started = new Map<string, Span>();
  for (const span of parentsFirst(spans)) {
    const parent = span.parent_id ? started.get(span.parent_id) : undefined;
    const context: Context = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    const otel = tracer.startSpan(
      otelName(span),
      { startTime: new Date(span.started_at), attributes: attributes(span, options.content) },
      context,
    );
    if (span.error) otel.setStatus({ code: SpanStatusCode.ERROR, message: options.content ? span.error : "error" });
    started.set(span.span_id, otel);
  }
  for (const span of spans) started.get(span.span_id)?.end(new Date(Date.parse(span.started_at) + span.duration_ms));
  try {
    await provider.forceFlush();
  } finally {
    await provider.shutdown();
  }
}

/** Orders spans so that every parent comes before its children (a child may start in the same millisecond). */
function parentsFirst(spans: TraceSpan[]): TraceSpan[] {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string | null, TraceSpan[]>();
  for (const span of spans) {
    const parent = span.parent_id && ids.has(span.parent_id) ? span.parent_id : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const ordered: TraceSpan[] = [];
  const visit = (parent: string | null) => {
    for (const span of children.get(parent) ?? []) {
      ordered.push(span);
      visit(span.span_id);
    }
  };
  visit(null);
  return ordered;
}

function otelName(span: TraceSpan): string {
  switch (span.kind) {
    case "agent":
      return `invoke_agent ${span.name}`;
    case "generation":
      return `chat ${span.model ?? ""}`.trim();
    case "function":
      return `execute_tool ${span.name}`;
    default:
      return span.name;
  }
}

const OPERATION: Record<string, string> = { agent: "invoke_agent", generation: "chat", function: "execute_tool" };

function attributes(span: TraceSpan, content: boolean): Attributes {
  const attrs: Attributes = {
    "alex.job_id": span.job_id,
    "alex.state": span.state,
    "alex.span_kind": span.kind,
    "openai.agents.span_id": span.span_id,
    "openai.agents.trace_id": span.trace_id,
  };
  if (span.execution_id) attrs["alex.execution_id"] = span.execution_id;
  if (OPERATION[span.kind]) attrs["gen_ai.operation.name"] = OPERATION[span.kind];
  if (span.kind === "agent") attrs["gen_ai.agent.name"] = span.name;
  if (span.model) attrs["gen_ai.request.model"] = span.model;
  if (span.input_tokens !== null) attrs["gen_ai.usage.input_tokens"] = span.input_tokens;
  if (span.output_tokens !== null) attrs["gen_ai.usage.output_tokens"] = span.output_tokens;
  const d = span.detail;
  if (typeof d.finish_reason === "string") attrs["gen_ai.response.finish_reasons"] = [d.finish_reason];
  if (Array.isArray(d.tool_calls)) attrs["alex.tool_calls"] = d.tool_calls;
  if (span.kind === "function") attrs["gen_ai.tool.name"] = span.name;
  if (span.kind === "guardrail") attrs["alex.guardrail.triggered"] = Boolean(d.triggered);
  if (content) {
    for (const [key, value] of Object.entries({
      arguments: d.arguments,
      result: d.result,
      prompt: d.prompt,
      output: d.output,
    })) {
      if (typeof value === "string") attrs[`alex.content.${key}`] = value;
    }
  }
  return attrs;
}
