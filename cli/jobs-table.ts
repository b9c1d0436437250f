import type { JobSummaryRow } from "../lib/db/repositories/job-list.js";
import { usdRounded } from "../lib/format.js";

const COLUMNS = ["ID", "WHEN", "PERSON", "VALUE", "OUTLOOK", "STATUS"] as const;

/** `alex jobs`: one line per job under a header; ids shortened to 8 characters (any unique start works). */
export function jobsTable(jobs: JobSummaryRow[], now: Date): string {
  if (jobs.length === 0) return 'No jobs yet. Run "npm start" or "alex analyze --portfolio FILE".';
  const rows = jobs.map((job) => [
    job.id.slice(0, 8),
    whenText(job.created_at, now),
    job.display_name ?? job.clerk_user_id,
    job.total_value === null ? "—" : usdRounded(Number(job.total_value)),
    job.success_rate === null
      ? "—"
      : `${Number(job.success_rate).toLocaleString("en-US", { maximumFractionDigits: 1 })}% of paths`,
    job.error_message ? `${job.status}: ${job.error_message}` : job.status,
  ]);
  const widths = COLUMNS.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 3 ? cell.padStart(widths[i]!) : i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ");
  return [line(COLUMNS), ...rows.map(line)].join("\n");
}

/** "just now", "12 min ago", "3 h ago", "yesterday 14:05", else "7 Dec 2026 14:05" (UTC). */
export function whenText(createdAt: string | Date, now: Date): string {
  const at = new Date(createdAt);
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  const time = at.toISOString().slice(11, 16);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 12 * 60) return `${Math.floor(minutes / 60)} h ago`;
  if (minutes < 48 * 60 && at.getUTCDate() === new Date(now.getTime() - 86_400_000).getUTCDate())
    return `yesterday ${time}`;
  const date = at.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return `${date} ${time}`;
}
