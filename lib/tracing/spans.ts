import type { Span, SpanData } from "@openai/agents-core";
import type { SpanDetail, TraceSpan } from "../db/repositories/traces.js";

/** Where a run's spans belong: the job, and the state machine task that ran the agent. */
export interface JobTraceMeta {
  jobId: string;
  state: string;
  executionId: string | null;
}

export interface SpanContentPolicy {
  /** Keep prompts and model output text (ALEX_TRACE_CONTENT=1); tool arguments and results are always kept, truncated. */
  content: boolean;
}

/** Longest text kept for a tool argument or result, an error, or (when enabled) a prompt. */
const MAX_TEXT = 500;
const MAX_PROMPT_TEXT = 4_000;

export function truncate(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half: a lone surrogate is not valid JSON text for PostgreSQL's jsonb.
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]) ? max - 1 : max;
  return `${text.slice(0, end)}… (${text.length} chars)`;
}

/** One SDK span as a `job_traces` row: its place in the tree, timing, tokens and a truncated detail. */
export function toTraceSpan(span: Span<SpanData>, meta: JobTraceMeta, policy: SpanContentPolicy): TraceSpan {
  const started = Date.parse(span.startedAt ?? "");
  const ended = Date.parse(span.endedAt ?? "");
  const data = span.spanData;
  return {
    job_id: meta.jobId,
    span_id: span.spanId,
    parent_id: span.parentId,
    trace_id: span.traceId,
    execution_id: meta.executionId,
    state: meta.state,
    kind: data.type,
    name: spanName(data),
    started_at: new Date(Number.isNaN(started) ? Date.now() : started).toISOString(),
    duration_ms: Number.isNaN(started) || Number.isNaN(ended) ? 0 : Math.max(0, ended - started),
    model: data.type === "generation" ? (data.model ?? null) : null,
    ...tokens(data),
    error: span.error ? truncate(span.error.message) : null,
    detail: spanDetail(data, policy),
  };
}

function spanName(data: SpanData): string {
  switch (data.type) {
    case "agent":
    case "function":
    case "guardrail":
    case "custom":
    case "task":
      return truncate(data.name, 200);
    case "turn":
      return `turn ${data.turn}`;
    case "generation":
      return "model call";
    case "handoff":
      return `handoff ${data.from_agent ?? "?"} → ${data.to_agent ?? "?"}`;
    default:
      return data.type;
  }
}

function tokens(data: SpanData): Pick<TraceSpan, "input_tokens" | "output_tokens"> {
  const usage = data.type === "generation" || data.type === "turn" || data.type === "task" ? data.usage : undefined;
  const count = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? Math.round(value) : null);
  return { input_tokens: count(usage?.input_tokens), output_tokens: count(usage?.output_tokens) };
}

function spanDetail(data: SpanData, policy: SpanContentPolicy): SpanDetail {
  switch (data.type) {
    case "agent":
      return { tools: data.tools ?? [], output_type: data.output_type ?? null };
    case "function":
      return { arguments: truncate(data.input ?? ""), result: truncate(data.output ?? "") };
    case "generation":
      return generationDetail(data, policy);
    case "guardrail":
      return { triggered: data.triggered };
    case "task":
      return { requests: data.usage?.requests ?? null };
    case "custom":
      return { data: truncate(JSON.stringify(data.data ?? {})) };
    default:
      return {};
  }
}

type Item = Record<string, unknown>;

/** A model call's finish reason and the tools it called; prompts and output text only when enabled. */
function generationDetail(data: Extract<SpanData, { type: "generation" }>, policy: SpanContentPolicy): SpanDetail {
  const output = (data.output ?? []) as Item[];
  const toolCalls = output.filter((item) => item.type === "function_call" || item.type === "tool-call");
  const detail: SpanDetail = {
    finish_reason: data.output === undefined ? null : toolCalls.length > 0 ? "tool_calls" : "stop",
    tool_calls: toolCalls.map((item) => String(item.name ?? item.toolName ?? "?")),
  };
  if (policy.content) {
    detail.prompt = truncate(JSON.stringify(data.input ?? []), MAX_PROMPT_TEXT);
    detail.output = truncate(JSON.stringify(output), MAX_PROMPT_TEXT);
  }
  return detail;
}
