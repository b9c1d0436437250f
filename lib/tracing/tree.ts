import type { TraceSpan } from "../db/repositories/traces.js";

export interface TraceNode {
  span: TraceSpan;
  children: TraceNode[];
}

/** One task's part of the trace: the state that ran it and its spans as a tree. */
export interface StateTrace {
  state: string;
  executionId: string | null;
  roots: TraceNode[];
}

/**
 * The spans as trees, one per state in the order the states started. SDK "task" spans (one per
 * `run()`) are folded into their parent, so an agent sits directly under its state.
 */
export function traceTree(spans: TraceSpan[]): StateTrace[] {
  const ordered = [...spans].sort((a, b) => a.started_at.localeCompare(b.started_at));
  const nodes = new Map(ordered.map((span) => [span.span_id, { span, children: [] as TraceNode[] }]));
  const byState = new Map<string, StateTrace>();
  for (const node of nodes.values()) {
    const parent = visibleParent(node.span, nodes);
    if (node.span.kind === "task") continue;
    if (parent) parent.children.push(node);
    else stateOf(byState, node.span).roots.push(node);
  }
  return [...byState.values()];
}

function visibleParent(span: TraceSpan, nodes: Map<string, TraceNode>): TraceNode | undefined {
  let parent = span.parent_id ? nodes.get(span.parent_id) : undefined;
  while (parent?.span.kind === "task") parent = parent.span.parent_id ? nodes.get(parent.span.parent_id) : undefined;
  return parent;
}

function stateOf(byState: Map<string, StateTrace>, span: TraceSpan): StateTrace {
  let state = byState.get(span.state);
  if (!state) {
    state = { state: span.state, executionId: span.execution_id, roots: [] };
    byState.set(span.state, state);
  }
  return state;
}

export interface TraceTotals {
  agents: number;
  model_calls: number;
  tool_calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
}

/** Counts over the spans; tokens are the model calls' (a turn's own count only where it has no model call span). */
export function traceTotals(spans: TraceSpan[]): TraceTotals {
  const turnsWithGeneration = new Set(spans.filter((s) => s.kind === "generation").map((s) => s.parent_id));
  const counted = spans.filter(
    (s) => s.kind === "generation" || (s.kind === "turn" && !turnsWithGeneration.has(s.span_id)),
  );
  return {
    agents: spans.filter((s) => s.kind === "agent").length,
    model_calls: spans.filter((s) => s.kind === "generation").length,
    tool_calls: spans.filter((s) => s.kind === "function").length,
    errors: spans.filter((s) => s.error !== null).length,
    input_tokens: counted.reduce((sum, s) => sum + (s.input_tokens ?? 0), 0),
    output_tokens: counted.reduce((sum, s) => sum + (s.output_tokens ?? 0), 0),
  };
}

/** One line of text: whitespace runs collapsed, at most `max` characters. */
function oneLine(text: string, max = 120): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this flattens.
  const flat = text.replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/**
 * What one span line says after its name: duration, tokens, kind-specific facts, error. A turn's tokens
 * are left to its model call (`withTokens` false) so they are not read twice.
 */
export function spanSummary(span: TraceSpan, withTokens = true): string {
  const parts = [`${span.duration_ms} ms`];
  if (withTokens && (span.input_tokens !== null || span.output_tokens !== null)) {
    parts.push(
      `${(span.input_tokens ?? 0).toLocaleString("en-US")} in / ${(span.output_tokens ?? 0).toLocaleString("en-US")} out tokens`,
    );
  }
  const d = span.detail;
  if (span.kind === "generation") {
    if (span.model) parts.push(span.model);
    if (d.finish_reason)
      parts.push(
        `finish: ${d.finish_reason}${Array.isArray(d.tool_calls) && d.tool_calls.length ? ` (${d.tool_calls.join(", ")})` : ""}`,
      );
  }
  if (span.kind === "function")
    parts.push(`args ${oneLine(String(d.arguments ?? ""))} → ${oneLine(String(d.result ?? ""))}`);
  if (span.kind === "guardrail") parts.push(d.triggered ? "triggered" : "passed");
  if (span.error) parts.push(`ERROR ${oneLine(span.error, 200)}`);
  return parts.join("  ");
}

const LABEL: Record<string, string> = {
  agent: "agent",
  generation: "model",
  function: "tool",
  guardrail: "guardrail",
  handoff: "handoff",
};

export function spanLabel(span: TraceSpan): string {
  const kind = LABEL[span.kind];
  return kind && span.kind !== "generation" ? `${kind} ${span.name}` : span.name;
}

/** The trace as an indented tree for a terminal. */
export function renderTraceText(spans: TraceSpan[]): string {
  if (spans.length === 0) return "No trace was recorded for this job.";
  const executions = [...new Set(spans.map((s) => s.execution_id ?? "(no execution id)"))];
  const lines = [`Execution ${executions.join(", ")}`];
  for (const state of traceTree(spans)) {
    lines.push(state.state);
    const walk = (nodes: TraceNode[], prefix: string) =>
      nodes.forEach((node, i) => {
        const last = i === nodes.length - 1;
        const withTokens = !node.children.some((child) => child.span.kind === "generation");
        lines.push(`${prefix}${last ? "└─ " : "├─ "}${spanLabel(node.span)}  ${spanSummary(node.span, withTokens)}`);
        walk(node.children, prefix + (last ? "   " : "│  "));
      });
    walk(state.roots, "");
  }
  return lines.join("\n");
}
