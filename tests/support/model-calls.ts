import { type AgentDeps, type AgentName, NO_USAGE, type SpecialistName } from "../../lib/agents/common.js";
import { OfflineModel } from "../../lib/models/offline.js";
import { SPECIALIST_STATE, STATE } from "../../lib/pipeline/states.js";
import { LatencyModel, type ModelCall } from "../../scripts/bench/latency-model.js";
import { executeLocally, type LocalExecution } from "../../state-machine/local-executor.js";

/** The state each agent's model calls happen in. */
const STATE_OF: Record<AgentName, string> = {
  tagger: STATE.tagInstruments,
  planner: STATE.planAnalysis,
  ...SPECIALIST_STATE,
  reviewer: SPECIALIST_STATE.reporter,
};

/** Every agent on the offline model (or `deps.modelFor`'s) behind a {@link LatencyModel}. */
export function withLatency(deps: AgentDeps, latencyMs: number, calls: ModelCall[]): AgentDeps {
  return {
    ...deps,
    modelFor: (agent, policy) =>
      new LatencyModel(deps.modelFor?.(agent, policy) ?? new OfflineModel(policy, agent), latencyMs, agent, calls),
  };
}

/** The [entered, exited] times (ms since the execution started) of each state that ran, by state name. */
function stateWindows(execution: LocalExecution): Map<string, [number, number]> {
  const windows = new Map<string, [number, number]>();
  for (const event of execution.events) {
    if (!event.state) continue;
    const window = windows.get(event.state) ?? [event.at, event.at];
    if (event.type === "StateEntered") window[0] = Math.min(window[0], event.at);
    if (event.type === "StateExited") window[1] = Math.max(window[1], event.at);
    windows.set(event.state, window);
  }
  return windows;
}

/**
 * The longest chain of model calls that had to wait for each other: call B follows call A when B started after
 * A ended and their states did not run side by side (the specialists of the Map run concurrently, so a charter
 * call never precedes a reporter call). Calls within one state follow each other in time.
 */
export function longestChain(calls: ModelCall[], execution: LocalExecution): ModelCall[] {
  const windows = stateWindows(execution);
  const concurrent = (a: ModelCall, b: ModelCall) => {
    const [stateA, stateB] = [STATE_OF[a.agent as AgentName], STATE_OF[b.agent as AgentName]];
    if (stateA === stateB) return false;
    const [wa, wb] = [windows.get(stateA), windows.get(stateB)];
    return wa !== undefined && wb !== undefined && wa[0] < wb[1] && wb[0] < wa[1];
  };
  const ordered = [...calls].sort((a, b) => a.start - b.start);
  const chains: ModelCall[][] = [];
  ordered.forEach((call, i) => {
    let best: ModelCall[] = [];
    for (let j = 0; j < i; j++) {
      const before = ordered[j];
      if (before.end <= call.start && !concurrent(before, call) && chains[j].length > best.length) best = chains[j];
    }
    chains.push([...best, call]);
  });
  return chains.reduce<ModelCall[]>((longest, chain) => (chain.length > longest.length ? chain : longest), []);
}

export interface ModelCallProfile {
  status: LocalExecution["status"];
  /** Model calls the job made, in all. */
  calls: number;
  byAgent: Partial<Record<AgentName, number>>;
  /** The longest chain of model calls in a row (see {@link longestChain}), by agent. */
  chain: AgentName[];
  latencyMs: number;
  /** The execution's wall time, ms. */
  wallMs: number;
}

/** A specialist that does nothing (stands in for one off the critical path while the path's own work is timed). */
const standIn = (agent: SpecialistName) => async () => ({
  agent,
  status: "succeeded",
  duration_ms: 0,
  usage: NO_USAGE,
});

/**
 * Runs one job through the real state machine with every model call taking `latencyMs` more, and counts its
 * model calls and the longest chain of them in a row. `standIns` replaces those specialists by ones that do nothing.
 */
export async function profileModelCalls(
  deps: AgentDeps,
  jobId: string,
  latencyMs: number,
  standIns: SpecialistName[] = [],
): Promise<ModelCallProfile> {
  const calls: ModelCall[] = [];
  const taskFunctions = Object.fromEntries(standIns.map((agent) => [agent, standIn(agent)]));
  const execution = await executeLocally(
    { jobId },
    { deps: withLatency(deps, latencyMs, calls), retryIntervalMs: 0, taskFunctions },
  );
  const byAgent: Partial<Record<AgentName, number>> = {};
  for (const { agent } of calls) byAgent[agent as AgentName] = (byAgent[agent as AgentName] ?? 0) + 1;
  return {
    status: execution.status,
    calls: calls.length,
    byAgent,
    chain: longestChain(calls, execution).map((call) => call.agent as AgentName),
    latencyMs,
    wallMs: execution.durationMs,
  };
}
