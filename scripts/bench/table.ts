/** The bench's table: one row per measure, printed as Markdown and written to bench.json. */
import type { Sample } from "./stats.js";

export type Status = "ok" | "over" | "info" | "error" | "skipped";

export interface Row {
  /** Which line of issue 13's table the row belongs to. */
  group: string;
  measure: string;
  unit: string;
  /** min and median over `runs` repetitions of one run (absent when the row could not be measured). */
  ours?: Sample;
  /** Issue 13's target, as text ("≤ 300 ms"); its number is `limit` (the median must not exceed it). */
  target?: string;
  limit?: number;
  /** Figures to compare with: the issue's "now", the same agents run sequentially, the critical path, the original. */
  baselines: string[];
  status: Status;
  note?: string;
}

export interface RowInput extends Omit<Row, "status" | "baselines"> {
  baselines?: string[];
  /** A status other than the target's verdict (e.g. "over" when a count is not constant). */
  status?: Status;
}

/** A row, judged against its limit by the median. */
export function row(input: RowInput): Row {
  const judged: Status =
    input.ours === undefined
      ? "error"
      : input.limit === undefined
        ? "info"
        : input.ours.median <= input.limit
          ? "ok"
          : "over";
  return { ...input, baselines: input.baselines ?? [], status: input.status ?? judged };
}

/** A row that could not be measured, with the reason. */
export function failedRow(group: string, measure: string, unit: string, error: unknown, target?: string): Row {
  return {
    group,
    measure,
    unit,
    target,
    baselines: [],
    status: "error",
    note: (error as Error).message ?? String(error),
  };
}

const digits = (value: number, unit: string) => {
  if (unit === "ms")
    return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(value < 10 ? 1 : 0)} ms`;
  if (unit === "MiB") return `${value.toFixed(2)} MiB`;
  if (unit === "ratio") return value.toFixed(2);
  if (unit === "%") return `${value.toFixed(1)}%`;
  return `${Math.round(value).toLocaleString("en-US")}${unit ? ` ${unit}` : ""}`;
};

/** "min / median" in the row's unit (one figure when they are equal). */
export function figure(row: Row): string {
  if (!row.ours) return "—";
  const { min, median, runs } = row.ours;
  const text = min === median ? digits(median, row.unit) : `${digits(min, row.unit)} / ${digits(median, row.unit)}`;
  return `${text} (×${runs})`;
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** The rows as one Markdown table (readable in a terminal, pasteable into the issue). */
export function markdownTable(rows: Row[]): string {
  const lines = ["| measure | ours: min / median (runs) | target | baselines | status |", "|---|---|---|---|---|"];
  for (const r of rows) {
    const status = r.note ? `${r.status.toUpperCase()}: ${r.note}` : r.status.toUpperCase();
    lines.push(
      `| ${cell(r.measure)} | ${cell(figure(r))} | ${cell(r.target ?? "—")} | ${cell(r.baselines.join("; ") || "—")} | ${cell(status)} |`,
    );
  }
  return lines.join("\n");
}
