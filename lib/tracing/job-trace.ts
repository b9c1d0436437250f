import { setTraceProcessors, setTracingDisabled, withTrace } from "@openai/agents-core";
import { z } from "zod";
import type { Config } from "../config.js";
import type { Db } from "../db/driver.js";
import { insertTraceSpans, type TraceSpan } from "../db/repositories/traces.js";
import { agentLogger } from "../logger.js";
import { JOB_ID_KEY, JobTraceProcessor } from "./processor.js";
import { type JobTraceMeta, toTraceSpan } from "./spans.js";

const processor = new JobTraceProcessor();
let enabled = false;

/**
 * Turns the Agents SDK's tracing on for local processing only: our processor replaces the default
 * OpenAI exporter, so spans go to the job's `job_traces` rows (and OTLP, if configured), never to OpenAI.
 */
export function enableLocalTracing(): void {
  if (enabled) return;
  setTraceProcessors([processor]);
  setTracingDisabled(false);
  enabled = true;
}

/** What a traced task needs: the database for the spans, the config for content and OTLP settings. */
export interface TraceDeps {
  db: Db;
  config: Pick<Config, "trace">;
}

/**
 * Runs `work` inside one SDK trace for the job's task; every agent run inside becomes spans of it.
 * The spans are stored (and exported over OTLP when configured) whether `work` succeeds or throws;
 * failing to store them is logged and never fails the task.
 */
export async function withJobTrace<T>(deps: TraceDeps, meta: JobTraceMeta, work: () => Promise<T>): Promise<T> {
  enableLocalTracing();
  let traceId: string | undefined;
  try {
    return await withTrace(
      `Alex: ${meta.state}`,
      (trace) => {
        traceId = trace.traceId;
        return work();
      },
      {
        groupId: meta.jobId,
        metadata: { [JOB_ID_KEY]: meta.jobId, state: meta.state, execution_id: meta.executionId ?? "" },
      },
    );
  } finally {
    if (traceId) await recordTrace(deps, meta, traceId);
  }
}

async function recordTrace(deps: TraceDeps, meta: JobTraceMeta, traceId: string): Promise<void> {
  const spans = processor.take(traceId).map((span) => toTraceSpan(span, meta, { content: deps.config.trace.content }));
  if (spans.length === 0) return;
  const log = agentLogger("tracing", meta.jobId);
  try {
    await insertTraceSpans(deps.db, spans);
  } catch (error) {
    log.warn("Could not store the trace", { state: meta.state, spans: spans.length, error: (error as Error).message });
  }
  if (deps.config.trace.otlpEndpoint) await exportOverOtlp(deps.config.trace, spans, log);
}

async function exportOverOtlp(settings: Config["trace"], spans: TraceSpan[], log: ReturnType<typeof agentLogger>) {
  try {
    const { exportSpans } = await import("./otlp.js");
    await exportSpans(spans, { endpoint: settings.otlpEndpoint!, content: settings.content });
  } catch (error) {
    log.warn("Could not export the trace over OTLP", { spans: spans.length, error: (error as Error).message });
  }
}

const TaskIds = z.object({ jobId: z.uuid(), executionId: z.string().min(1).optional() });

/**
 * Wraps a state machine task so that its agent runs are traced as `state` of the event's job.
 * An event without a job id runs untraced (the task itself then refuses it).
 */
export function tracedTask<D extends TraceDeps, R>(state: string, task: (event: unknown, deps: D) => Promise<R>) {
  return async (event: unknown, deps: D): Promise<R> => {
    const ids = TaskIds.safeParse(event);
    if (!ids.success) return task(event, deps);
    const meta = { jobId: ids.data.jobId, state, executionId: ids.data.executionId ?? null };
    return withJobTrace(deps, meta, () => task(event, deps));
  };
}
