import { Graph, layout } from "@dagrejs/dagre";
import { z } from "zod";
import { escapeHtml } from "./markdown.js";

/** How a state ended, coloured as the Step Functions console colours it. */
export type StateStatus = "succeeded" | "failed" | "caught" | "running" | "skipped" | "not-reached";

const STATUS_STYLE: Record<StateStatus, { fill: string; stroke: string; label: string }> = {
  succeeded: { fill: "#D5F5D5", stroke: "#1D8102", label: "Succeeded" },
  failed: { fill: "#FDE3E3", stroke: "#D13212", label: "Failed" },
  caught: { fill: "#FFE8CC", stroke: "#EC7211", label: "Caught error" },
  running: { fill: "#D6EAF8", stroke: "#0073BB", label: "In progress" },
  skipped: { fill: "#FFFFFF", stroke: "#AAB7B8", label: "Skipped" },
  "not-reached": { fill: "#F2F3F3", stroke: "#D5DBDB", label: "Not reached" },
};

/** One state event of an execution, as the local executor reports it (output left out). */
export const TraceEvent = z.object({
  type: z.string(),
  at: z.number(),
  state: z.string().optional(),
  index: z.number().optional(),
  error: z.string().optional(),
});
export type TraceEvent = z.infer<typeof TraceEvent>;
export const ExecutionTrace = z.array(TraceEvent);

type AslState = {
  Type?: string;
  Next?: string;
  Default?: string;
  End?: boolean;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string }[];
  ItemProcessor?: AslStates;
  Iterator?: AslStates;
};
type AslStates = { StartAt: string; States: Record<string, AslState> };
/** The part of an ASL definition the drawing reads. */
export type AslDefinition = AslStates;

/** A state in the drawing: a top-level state, or one state of one Map item. */
export interface GraphNode {
  id: string;
  state: string;
  /** Map item index, for states inside a Map */
  index?: number;
  status: StateStatus;
  durationMs?: number;
}

export interface ExecutionGraph {
  nodes: GraphNode[];
  edges: { from: string; to: string }[];
}

const nodeId = (state: string, index?: number) => (index === undefined ? state : `${state} [${index}]`);

/** Each state's (and each Map item state's) outcome and duration from a trace. */
function outcomes(trace: TraceEvent[]): Map<string, { status: StateStatus; durationMs?: number }> {
  const result = new Map<string, { status: StateStatus; durationMs?: number; enteredAt?: number }>();
  for (const event of trace) {
    if (!event.state || !event.type.startsWith("State")) continue;
    const id = nodeId(event.state, event.index);
    const current = result.get(id);
    switch (event.type) {
      case "StateEntered":
        result.set(id, { status: "running", enteredAt: event.at });
        break;
      case "StateExited":
        if (current?.status === "running")
          result.set(id, { status: "succeeded", durationMs: event.at - (current.enteredAt ?? event.at) });
        break;
      case "StateFailed":
        result.set(id, {
          status: "failed",
          durationMs: event.at - (current?.enteredAt ?? event.at),
          enteredAt: current?.enteredAt,
        });
        break;
      case "StateCaught":
        if (current) current.status = "caught";
        break;
    }
  }
  return result;
}

/**
 * Each state's (and each Map item state's) time, in the order the states were entered, from the same trace
 * events and arithmetic as the drawn graph: `Write report (item 0)`.
 */
export function stateTimings(trace: TraceEvent[]): { state: string; ms: number; status: StateStatus }[] {
  const ran = outcomes(trace);
  const order: string[] = [];
  for (const event of trace) {
    if (event.type !== "StateEntered" || !event.state) continue;
    const id = nodeId(event.state, event.index);
    if (!order.includes(id)) order.push(id);
  }
  return order.flatMap((id) => {
    const outcome = ran.get(id);
    if (outcome?.durationMs === undefined) return [];
    const label = id.replace(/ \[(\d+)\]$/, " (item $1)");
    return [{ state: label, ms: Math.round(outcome.durationMs), status: outcome.status }];
  });
}

function successors(state: AslState): string[] {
  return [
    state.Next,
    state.Default,
    ...(state.Choices ?? []).map((c) => c.Next),
    ...(state.Catch ?? []).map((c) => c.Next),
  ].filter((next): next is string => typeof next === "string");
}

/** Map items that appear in the trace, by Map state. */
function mapItems(trace: TraceEvent[], inner: Set<string>): number[] {
  const items = new Set<number>();
  for (const event of trace)
    if (event.index !== undefined && event.state && inner.has(event.state)) items.add(event.index);
  return [...items].sort((a, b) => a - b);
}

/**
 * The execution as a graph: the ASL's states and transitions, each state's outcome from the trace,
 * and a Map's processor drawn once per item that ran (side by side), or once, not reached, when none ran.
 * A state never entered is "skipped" when a state leading to it ran (a branch not taken), else "not reached".
 */
export function executionGraph(
  definition: AslStates,
  trace: TraceEvent[],
  options: { mapItems?: "side-by-side" | "merged" } = {},
): ExecutionGraph {
  if (options.mapItems === "merged") return mergedGraph(definition, trace);
  const ran = outcomes(trace);
  const nodes: GraphNode[] = [];
  const edges: { from: string; to: string }[] = [];

  const addStates = (states: AslStates, index: number | undefined, only?: (state: string) => boolean) => {
    const names = Object.keys(states.States).filter((state) => only?.(state) ?? true);
    for (const state of names) {
      const outcome = ran.get(nodeId(state, index));
      nodes.push({
        id: nodeId(state, index),
        state,
        index,
        status: outcome?.status ?? "not-reached",
        durationMs: outcome?.durationMs,
      });
    }
    for (const name of names) {
      for (const next of successors(states.States[name]!))
        if (names.includes(next)) edges.push({ from: nodeId(name, index), to: nodeId(next, index) });
    }
    return names;
  };

  addStates(definition, undefined);
  for (const [name, state] of Object.entries(definition.States)) {
    const processor = state.ItemProcessor ?? state.Iterator;
    if (!processor) continue;
    const inner = new Set(Object.keys(processor.States));
    const items = mapItems(trace, inner);
    const lanes: (number | undefined)[] = items.length > 0 ? items : [undefined];
    for (const index of lanes) {
      const drawn = addStates(
        processor,
        index,
        index === undefined ? undefined : (inner) => ran.has(nodeId(inner, index)),
      );
      edges.push({ from: name, to: nodeId(processor.StartAt, index) });
      const ends = drawn.filter(
        (inner) =>
          processor.States[inner]!.Type !== "Fail" &&
          !successors(processor.States[inner]!).some((next) => drawn.includes(next)),
      );
      if (state.Next) for (const end of ends) edges.push({ from: nodeId(end, index), to: state.Next });
    }
    const direct = edges.findIndex((edge) => edge.from === name && edge.to === state.Next);
    if (direct >= 0) edges.splice(direct, 1);
  }
  const kept = edges;

  markSkipped(nodes, kept);
  return { nodes, edges: dedupe(kept) };
}

/**
 * The graph in its final shape from the first event on (the live view): each Map's processor drawn once with
 * every state it can run (a Fail state only once one has run), each state's outcome from whichever item ran it.
 * Only the colours change as the trace grows; nodes never move.
 */
function mergedGraph(definition: AslStates, trace: TraceEvent[]): ExecutionGraph {
  const merged = trace.map(({ index: _index, ...event }) => event);
  const ran = new Set(merged.map((event) => event.state));
  // A Map's lanes come from item indexes: without them each processor state is drawn once.
  const shown: AslStates = {
    ...definition,
    States: Object.fromEntries(
      Object.entries(definition.States).map(([name, state]) => {
        const processor = state.ItemProcessor ?? state.Iterator;
        if (!processor) return [name, state];
        const States = Object.fromEntries(
          Object.entries(processor.States).filter(([inner, s]) => s.Type !== "Fail" || ran.has(inner)),
        );
        return [name, { ...state, ItemProcessor: { ...processor, States }, Iterator: undefined }];
      }),
    ),
  };
  return executionGraph(shown, merged);
}

function markSkipped(nodes: GraphNode[], edges: { from: string; to: string }[]) {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  for (const node of nodes) {
    if (node.status !== "not-reached") continue;
    const predecessorRan = edges.some((edge) => {
      const from = byId.get(edge.from);
      return edge.to === node.id && from !== undefined && ["succeeded", "caught", "failed"].includes(from.status);
    });
    if (predecessorRan) node.status = "skipped";
  }
}

function dedupe(edges: { from: string; to: string }[]) {
  const seen = new Set<string>();
  return edges.filter((edge) => {
    const key = `${edge.from}→${edge.to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const NODE_WIDTH = 168;
const NODE_HEIGHT = 46;
const MARGIN = 16;
const LEGEND_HEIGHT = 34;

/** The graph as a standalone SVG (laid out by dagre, no browser). */
export function renderExecutionGraphSvg(graph: ExecutionGraph, options: { title?: string } = {}): string {
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 36, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const edge of graph.edges) if (g.hasNode(edge.from) && g.hasNode(edge.to)) g.setEdge(edge.from, edge.to);
  layout(g);
  type Point = { x: number; y: number };
  const paths: Point[][] = g
    .edges()
    .map((edge: Parameters<typeof g.edge>[0]) => (g.edge(edge).points ?? []) as Point[]);
  const xs = [
    ...graph.nodes.flatMap((n) => [g.node(n.id).x - NODE_WIDTH / 2, g.node(n.id).x + NODE_WIDTH / 2]),
    ...paths.flat().map((p: Point) => p.x),
  ];
  const ys = [
    ...graph.nodes.flatMap((n) => [g.node(n.id).y - NODE_HEIGHT / 2, g.node(n.id).y + NODE_HEIGHT / 2]),
    ...paths.flat().map((p: Point) => p.y),
  ];
  const dx = MARGIN - Math.min(...xs);
  const dy = MARGIN - Math.min(...ys) + LEGEND_HEIGHT;
  const svgWidth = Math.max(Math.max(...xs) + dx + MARGIN, legendWidth());
  const svgHeight = Math.max(...ys) + dy + MARGIN;
  const parts: string[] = [];
  for (const points of paths) {
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${round(p.x + dx)},${round(p.y + dy)}`).join(" ");
    parts.push(
      `<path class="edge" d="${d}" fill="none" stroke="#879596" stroke-width="1.2" marker-end="url(#arrow)"/>`,
    );
  }
  for (const node of graph.nodes) {
    const { x, y } = g.node(node.id);
    parts.push(nodeSvg(node, x - NODE_WIDTH / 2 + dx, y - NODE_HEIGHT / 2 + dy));
  }
  const title = options.title ?? "State machine execution";
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="execution-graph" role="img" aria-label="${escapeHtml(title)}" width="${round(svgWidth)}" height="${round(svgHeight)}" viewBox="0 0 ${round(svgWidth)} ${round(svgHeight)}" font-family="system-ui, sans-serif">`,
    `<title>${escapeHtml(title)}</title>`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#879596"/></marker></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    legendSvg(),
    ...parts,
    "</svg>",
  ].join("\n");
}

function nodeSvg(node: GraphNode, x: number, y: number): string {
  const style = STATUS_STYLE[node.status];
  const name = node.state;
  const outcome = node.durationMs === undefined ? style.label : `${style.label} · ${Math.round(node.durationMs)} ms`;
  const detail = node.index === undefined ? outcome : `Item ${node.index} · ${outcome}`;
  const dash = node.status === "skipped" || node.status === "not-reached" ? ' stroke-dasharray="4 3"' : "";
  return [
    `<g class="state state-${node.status}" data-state="${escapeHtml(node.state)}"${node.index === undefined ? "" : ` data-index="${node.index}"`} data-status="${node.status}">`,
    `<title>${escapeHtml(`${name}: ${detail}`)}</title>`,
    `<rect x="${round(x)}" y="${round(y)}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="6" fill="${style.fill}" stroke="${style.stroke}" stroke-width="1.6"${dash}/>`,
    `<text x="${round(x + NODE_WIDTH / 2)}" y="${round(y + 19)}" text-anchor="middle" font-size="12.5" font-weight="600" fill="#16191F">${escapeHtml(fit(name, 24))}</text>`,
    `<text x="${round(x + NODE_WIDTH / 2)}" y="${round(y + 36)}" text-anchor="middle" font-size="11" fill="#414750">${escapeHtml(detail)}</text>`,
    "</g>",
  ].join("");
}

const LEGEND_ORDER: StateStatus[] = ["succeeded", "failed", "caught", "running", "skipped", "not-reached"];
const LEGEND_ITEM = 104;
const legendWidth = () => MARGIN * 2 + LEGEND_ORDER.length * LEGEND_ITEM;

function legendSvg(): string {
  return LEGEND_ORDER.map((status, i) => {
    const style = STATUS_STYLE[status];
    const x = MARGIN + i * LEGEND_ITEM;
    return `<g class="legend"><rect x="${x}" y="12" width="14" height="14" rx="3" fill="${style.fill}" stroke="${style.stroke}" stroke-width="1.6"/><text x="${x + 19}" y="23" font-size="11" fill="#414750">${style.label}</text></g>`;
  }).join("");
}

function fit(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const round = (value: number) => Math.round(value * 10) / 10;
