import type { ExecutionEvent } from "../state-machine/local-executor.js";

interface Window {
  state: string;
  index?: number;
  start: number;
  end?: number;
}

const BAR_WIDTH = 30;

/**
 * Prints each state as it runs (to stderr): entered Tasks and Maps, then each exit with its duration,
 * Map items indented with their index, and after the Map a timeline of the items side by side.
 */
export class ProgressDisplay {
  private readonly open = new Map<string, Window>();
  private readonly mapItems: Window[] = [];

  constructor(private readonly write: (line: string) => void) {}

  readonly onEvent = (event: ExecutionEvent) => {
    const key = `${event.state}#${event.index ?? ""}`;
    const indent = event.index === undefined ? "" : `    [${event.index}] `;
    switch (event.type) {
      case "StateEntered":
        this.open.set(key, { state: event.state!, index: event.index, start: event.at });
        if (event.state === "Run specialists") this.write(`▶ ${event.state} …`);
        break;
      case "StateExited": {
        const window = this.open.get(key);
        if (!window) break;
        window.end = event.at;
        if (event.index !== undefined && !event.state!.endsWith("?")) this.mapItems.push(window);
        if (event.state!.endsWith("?")) break;
        this.write(
          `${indent}✓ ${event.state!.padEnd(event.index === undefined ? 24 : 18)} ${ms(window.end - window.start)}`,
        );
        if (event.state === "Run specialists") this.printTimeline(window);
        break;
      }
      case "StateRetried":
        this.write(`${indent}↻ ${event.state} retried`);
        break;
      case "StateFailed":
        this.write(`${indent}✗ ${event.state}: ${event.error ?? "failed"}`);
        break;
      case "StateCaught":
        this.write(`${indent}  caught`);
        break;
      case "ExecutionSucceeded":
        this.write(`Execution succeeded in ${ms(event.at)}`);
        break;
      case "ExecutionFailed":
        this.write(`Execution failed after ${ms(event.at)}: ${event.error ?? ""}`);
        break;
    }
  };

  /** The Map items' time windows on one scale, so their overlap shows. */
  private printTimeline(map: Window) {
    const span = Math.max(1, (map.end ?? map.start) - map.start);
    const items = this.mapItems.filter((w) => w.start >= map.start).sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    for (const item of items) {
      const from = Math.round(((item.start - map.start) / span) * BAR_WIDTH);
      const to = Math.max(from + 1, Math.round((((item.end ?? item.start) - map.start) / span) * BAR_WIDTH));
      const bar = " ".repeat(from) + "█".repeat(to - from) + " ".repeat(Math.max(0, BAR_WIDTH - to));
      this.write(
        `      ${item.state.padEnd(20)} |${bar}| ${ms(item.start - map.start)}–${ms((item.end ?? item.start) - map.start)}`,
      );
    }
  }
}

const ms = (value: number) => `${Math.round(value)} ms`;
