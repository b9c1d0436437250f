import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import type { Model, ModelRequest, ModelResponse, StreamEvent } from "@openai/agents";
import { streamOfResponse } from "../../lib/models/offline.js";

/** One model call: which task made it ("?" outside the bench's task wrappers), for which agent, when (ms, `performance.now()`). */
export interface ModelCall {
  task: string;
  agent: string;
  start: number;
  end: number;
}

/** Which task (state machine Task) the current async work belongs to: set by the bench's task wrappers. */
export const currentTask = new AsyncLocalStorage<string>();

/**
 * A model that answers like `inner` after `latencyMs` more (a provider's response time), and records every
 * call's start and end. The benchmark and tests/support/model-calls.ts use it.
 */
export class LatencyModel implements Model {
  constructor(
    private readonly inner: Model,
    private readonly latencyMs: number,
    private readonly agent: string,
    private readonly calls: ModelCall[],
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    const start = performance.now();
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const response = await this.inner.getResponse(request);
    this.calls.push({ task: currentTask.getStore() ?? "?", agent: this.agent, start, end: performance.now() });
    return response;
  }

  getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    return streamOfResponse(() => this.getResponse(request), "bench");
  }
}

/** The most calls of `calls` that ran one after another (none overlapping): a chain that cannot be shortened. */
export function longestChain(calls: ModelCall[]): number {
  let count = 0;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const call of [...calls].sort((a, b) => a.end - b.end)) {
    if (call.start >= lastEnd) {
      count += 1;
      lastEnd = call.end;
    }
  }
  return count;
}
