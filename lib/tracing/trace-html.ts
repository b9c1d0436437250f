import type { TraceSpan } from "../db/repositories/traces.js";
import { escapeHtml } from "../output/markdown.js";
import { describeTraceReport, traceReport } from "./report.js";
import { spanLabel, spanSummary, type TraceNode, traceTree } from "./tree.js";

/**
 * The job's agent trace as an HTML section for index.html: per state, agent → turn → model calls and
 * tool calls with durations and tokens (collapsed: on screen until opened, and in print), after the totals and
 * cost. All span text is escaped.
 */
export function renderTraceHtml(spans: TraceSpan[]): string {
  const body =
    spans.length === 0
      ? '<p class="absent">No trace was recorded for this job.</p>'
      : [
          `<p class="meta">${escapeHtml(describeTraceReport(traceReport(spans)))}</p>`,
          '<details class="trace-body"><summary>Every agent turn, model call and tool call</summary>',
          ...traceTree(spans).map((state) => `<h3>${escapeHtml(state.state)}</h3>\n${list(state.roots)}`),
          "</details>",
        ].join("\n");
  return `<section id="trace">\n<style>${STYLE}</style>\n<h2>How this analysis ran: agent trace</h2>\n${body}\n</section>`;
}

function list(nodes: TraceNode[]): string {
  if (nodes.length === 0) return "";
  const items = nodes.map((node) => {
    const withTokens = !node.children.some((child) => child.span.kind === "generation");
    const css = node.span.error ? ' class="error"' : "";
    return `<li${css}><strong>${escapeHtml(spanLabel(node.span))}</strong> <span class="meta">${escapeHtml(spanSummary(node.span, withTokens))}</span>${list(node.children)}</li>`;
  });
  return `<ul class="trace">${items.join("")}</ul>`;
}

const STYLE =
  "ul.trace { list-style: none; margin: 4px 0; padding-left: 18px; border-left: 1px solid #E5E7EB; font-size: 14px; } " +
  "ul.trace .meta { display: inline; margin: 0; overflow-wrap: anywhere; } ul.trace li.error > strong { color: #991B1B; }";
