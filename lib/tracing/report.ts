import type { TraceSpan } from "../db/repositories/traces.js";
import { formatCost, type JobCost, traceCost } from "./cost.js";
import { type TraceTotals, traceTotals } from "./tree.js";

export interface TraceReport {
  totals: TraceTotals;
  /** One entry per model called; `usd` is null for a model without a listed price. */
  cost: JobCost[];
}

export function traceReport(spans: TraceSpan[]): TraceReport {
  return { totals: traceTotals(spans), cost: traceCost(spans.filter((s) => s.kind === "generation")) };
}

/** `5 agents, 12 model calls (12,345 in / 678 out tokens), 9 tool calls, 0 errors; cost $0.002100 (model)` */
export function describeTraceReport({ totals: t, cost }: TraceReport): string {
  const tokens = `${t.input_tokens.toLocaleString("en-US")} in / ${t.output_tokens.toLocaleString("en-US")} out tokens`;
  const costs = cost.map((c) => `${formatCost(c)} (${c.model})`).join(" + ") || "none";
  return `${t.agents} agent run(s), ${t.model_calls} model call(s) (${tokens}), ${t.tool_calls} tool call(s), ${t.errors} error(s); cost ${costs}`;
}
