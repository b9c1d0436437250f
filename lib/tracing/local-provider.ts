import { getGlobalTraceProvider, TraceProvider, type TracingProcessor } from "@openai/agents-core";

/** Where agents-core keeps its one trace provider for the process (see `getGlobalTraceProvider`). */
const GLOBAL_PROVIDER = Symbol.for("openai.agents.core.traceProvider");

/**
 * The process's trace provider once Alex loads: it holds only Alex's processor and refuses every other.
 * Importing `@openai/agents` (which `@openai/agents-extensions/ai-sdk` does) calls
 * `setDefaultOpenAITracingExporter()`, which would replace our processor with OpenAI's exporter — and
 * shut ours down — so traces, prompts and the API key would go to api.openai.com. Here that call does nothing.
 */
class LocalOnlyTraceProvider extends TraceProvider {
  readonly #processor: TracingProcessor;

  constructor(processor: TracingProcessor) {
    super();
    this.#processor = processor;
    super.setProcessors([processor]);
  }

  /** Only Alex's processor is ever installed; any other list is ignored. */
  override setProcessors(processors: TracingProcessor[]): void {
    if (processors.length === 1 && processors[0] === this.#processor) return;
  }

  override registerProcessor(_processor: TracingProcessor): void {}

  get processor(): TracingProcessor {
    return this.#processor;
  }
}

/**
 * Makes `processor` the only trace processor of the process, whatever was or will be imported: a
 * provider installed earlier (with OpenAI's exporter) is emptied and replaced, one installed later
 * cannot change ours. Idempotent; call it before any agent runs.
 */
export function installLocalTracing(processor: TracingProcessor): void {
  const current = getGlobalTraceProvider();
  if (current instanceof LocalOnlyTraceProvider && current.processor === processor) return;
  if (!(current instanceof LocalOnlyTraceProvider)) current.setProcessors([]);
  const holder = globalThis as unknown as Record<symbol, TraceProvider>;
  holder[GLOBAL_PROVIDER] = new LocalOnlyTraceProvider(processor);
  if (getGlobalTraceProvider() !== holder[GLOBAL_PROVIDER])
    throw new Error("Could not install Alex's trace provider: agents-core did not take it");
}
