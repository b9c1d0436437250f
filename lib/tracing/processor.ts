import type { Span, SpanData, Trace, TracingProcessor } from "@openai/agents-core";

/** Trace metadata key that marks a trace as one of a job's tasks (set by `withJobTrace`). */
export const JOB_ID_KEY = "alex_job_id";

/**
 * Keeps the ended spans of job traces in memory until the task that opened the trace takes them
 * (`take`) to store them. Spans of other traces (an agent run outside a job) are ignored.
 */
export class JobTraceProcessor implements TracingProcessor {
  readonly #spans = new Map<string, Span<SpanData>[]>();

  async onTraceStart(trace: Trace): Promise<void> {
    if (typeof trace.metadata?.[JOB_ID_KEY] === "string") this.#spans.set(trace.traceId, []);
  }

  async onTraceEnd(): Promise<void> {}

  async onSpanStart(): Promise<void> {}

  async onSpanEnd(span: Span<SpanData>): Promise<void> {
    this.#spans.get(span.traceId)?.push(span);
  }

  /** The trace's spans ended so far, handed over once; later spans are still collected. */
  drain(traceId: string): Span<SpanData>[] {
    const spans = this.#spans.get(traceId);
    if (!spans) return [];
    this.#spans.set(traceId, []);
    return spans;
  }

  /** The trace's ended spans, handed over once (later spans of the trace are dropped). */
  take(traceId: string): Span<SpanData>[] {
    const spans = this.#spans.get(traceId) ?? [];
    this.#spans.delete(traceId);
    return spans;
  }

  async shutdown(): Promise<void> {
    this.#spans.clear();
  }

  async forceFlush(): Promise<void> {}
}
