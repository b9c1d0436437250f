import { getCurrentTrace, setTracingDisabled, withTrace } from "@openai/agents-core";
import { z } from "zod";
import type { Config } from "../config.js";
import { type Db, DbError } from "../db/driver.js";
import { BATCH_BYTES, insertTraceSpans, requestBytes, type TraceSpan } from "../db/repositories/traces.js";
import { agentLogger } from "../logger.js";
import { installLocalTracing } from "./local-provider.js";
import { JOB_ID_KEY, JobTraceProcessor } from "./processor.js";
import { type JobTraceMeta, toTraceSpan } from "./spans.js";

const processor = new JobTraceProcessor();

/**
 * Turns the Agents SDK's tracing on for local processing only: our processor is the process's only one
 * (`installLocalTracing`: OpenAI's exporter is removed and cannot come back when a provider imports
 * `@openai/agents` later), so spans go to the job's `job_traces` rows (and OTLP, if configured), never to
 * OpenAI. Cheap and idempotent: every job trace calls it.
 */
export function enableLocalTracing(): void {
  installLocalTracing(processor);
  setTracingDisabled(false);
}

/** What a traced task needs: the database for the spans, the config for content and OTLP settings. */
export interface TraceDeps {
  db: Db;
  config: Pick<Config, "trace">;
}

/** A running task's trace: where its spans go, and the spans its own write already stored. */
interface OpenTrace {
  meta: JobTraceMeta;
  content: boolean;
  /** Spans handed to the task's write (`taskSpans`), not yet known to be stored. */
  handedOut: TraceSpan[];
  /** Spans the task's write stored (exported over OTLP with the rest at the end). */
  stored: TraceSpan[];
}

const openTraces = new Map<string, OpenTrace>();

/** The spans of the current job task's trace handed to the task's own write; see `taskSpans`. */
export interface TaskSpans {
  spans: TraceSpan[];
  /** Call once the write that carried `spans` succeeded: they are then not written again. */
  stored(): void;
}

/**
 * The spans the current job task's trace has ended so far, for the task to store in the statement that
 * writes its result (see `withSpans`). Spans whose write fails, or that end later, are stored when the
 * trace ends, as before. Empty outside a job trace, or when spans and the write's own `writeBytes` would
 * pass one statement's budget (the Data API takes 4 MiB per request): they then go in their own statements.
 */
function taskSpans(writeBytes = 0): TaskSpans {
  const none: TaskSpans = { spans: [], stored: () => {} };
  const traceId = getCurrentTrace()?.traceId;
  const open = traceId ? openTraces.get(traceId) : undefined;
  if (!traceId || !open) return none;
  const spans = processor.drain(traceId).map((span) => toTraceSpan(span, open.meta, { content: open.content }));
  open.handedOut.push(...spans);
  if (spans.length === 0 || requestBytes(spans) + writeBytes > BATCH_BYTES) return none;
  return {
    spans,
    stored() {
      open.handedOut = open.handedOut.filter((span) => !spans.includes(span));
      open.stored.push(...spans);
    },
  };
}

/**
 * Runs the task's result write with the spans its trace has ended so far (`taskSpans`): the write stores
 * both in one statement. `payload` (what the write sends) counts against the statement's budget. If the
 * database refuses that statement, the write runs once more without the spans, so a span can never cost
 * the task its result; the spans are then stored (or their failure logged) when the trace ends.
 */
export async function writeWithTaskSpans<R>(payload: unknown, write: (spans: TraceSpan[]) => Promise<R>): Promise<R> {
  const pending = taskSpans(requestBytes(payload));
  if (pending.spans.length === 0) return write([]);
  let result: R;
  try {
    result = await write(pending.spans);
  } catch (error) {
    if (!(error instanceof DbError)) throw error;
    return write([]);
  }
  pending.stored();
  return result;
}

/**
 * Runs `work` inside one SDK trace for the job's task; every agent run inside becomes spans of it.
 * The spans are stored (and exported over OTLP when configured) whether `work` succeeds or throws:
 * with the task's own write when it carried them (`taskSpans`), else in their own statement at the end;
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
        openTraces.set(traceId, { meta, content: deps.config.trace.content, handedOut: [], stored: [] });
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
  const open = openTraces.get(traceId);
  openTraces.delete(traceId);
  const ended = processor.take(traceId).map((span) => toTraceSpan(span, meta, { content: deps.config.trace.content }));
  const unstored = [...(open?.handedOut ?? []), ...ended];
  const all = [...(open?.stored ?? []), ...unstored];
  if (all.length === 0) return;
  const log = agentLogger("tracing", meta.jobId);
  try {
    if (unstored.length > 0) await insertTraceSpans(deps.db, unstored);
  } catch (error) {
    log.warn("Could not store the trace", {
      state: meta.state,
      spans: unstored.length,
      error: (error as Error).message,
    });
  }
  if (deps.config.trace.otlpEndpoint) await exportOverOtlp(deps.config.trace, all, log);
}

async function exportOverOtlp(settings: Config["trace"], spans: TraceSpan[], log: ReturnType<typeof agentLogger>) {
  try {
    const { exportSpans } = await import("./otlp.js");
    await exportSpans(spans, { endpoint: settings.otlpEndpoint!, content: settings.content });
  } catch (error) {
    log.warn("Could not export the trace over OTLP", { spans: spans.length, error: (error as Error).message });
  }
}

const TaskIds = z.object({ job_id: z.uuid(), execution_id: z.string().min(1).optional() });

/**
 * Wraps a state machine task so that its agent runs are traced as `state` of the event's job.
 * An event without a job id runs untraced (the task itself then refuses it).
 */
export function tracedTask<D extends TraceDeps, R>(state: string, task: (event: unknown, deps: D) => Promise<R>) {
  return async (event: unknown, deps: D): Promise<R> => {
    const ids = TaskIds.safeParse(event);
    if (!ids.success) return task(event, deps);
    const meta = { jobId: ids.data.job_id, state, executionId: ids.data.execution_id ?? null };
    return withJobTrace(deps, meta, () => task(event, deps));
  };
}
