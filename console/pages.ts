import type { JobSummaryRow } from "../lib/db/repositories/job-list.js";
import { usdRounded } from "../lib/format.js";
import { documentHtml, humanTime } from "../lib/output/index-html.js";
import { escapeHtml } from "../lib/output/markdown.js";

/** The console's pages load only its own scripts and events. */
export const CONSOLE_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'self'; connect-src 'self'; form-action 'self'";

export function consoleHeader(): string {
  return '<header><h1>Alex console</h1><p class="meta">Local runs of the analysis state machine · <a href="/">Jobs</a></p></header>';
}

/** The home page: the form (with the error of the last attempt, if any) and the job list. */
export function homePage(jobs: JobSummaryRow[], now: Date, error?: { message: string; fileName?: string }): string {
  return documentHtml("Alex console", `${consoleHeader()}${analyseForm(error)}${jobsSection(jobs, now)}`, {
    head: '<script src="/form.js" defer></script>',
    policy: CONSOLE_POLICY,
  });
}

function analyseForm(error?: { message: string; fileName?: string }): string {
  const problem = error
    ? `<div class="error" id="form-error" role="alert"><p><strong>${error.fileName ? `${escapeHtml(error.fileName)} was not analysed.` : "Nothing was analysed."}</strong> Nothing was saved; fix the file and choose it again.</p>${plainList(error.message)}</div>`
    : '<div id="form-error" role="alert" hidden></div>';
  return [
    '<section id="analyse"><h2>Analyse a portfolio</h2>',
    problem,
    '<form method="post" action="/analyze" enctype="multipart/form-data" id="analyse-form">',
    '<p><label for="portfolio">Portfolio file (JSON)</label> <input type="file" id="portfolio" name="portfolio" accept=".json,application/json"></p>',
    '<p><button type="submit">Analyse this file</button> <button type="submit" name="demo" value="1">Analyse the demo user</button></p>',
    '<p id="upload-progress" hidden><progress max="100" value="0"></progress> <span>Uploading…</span></p>',
    "</form></section>",
  ].join("\n");
}

function plainList(message: string): string {
  const lines = message
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return `<ul>${lines.map((line) => `<li>${escapeHtml(plainWords(line))}</li>`).join("")}</ul>`;
}

/** Zod's wording in plain words: "Too small: expected number to be >0" → "must be more than 0". */
export function plainWords(message: string): string {
  return message
    .replace(/Too small: expected string to have >=1 characters?/g, "must not be empty")
    .replace(/Too small: expected array to have >=1 items?/g, "needs at least one entry")
    .replace(/Too small: expected number to be >=(-?[\d.]+)/g, "must be $1 or more")
    .replace(/Too small: expected number to be >(-?[\d.]+)/g, "must be more than $1")
    .replace(/Too big: expected number to be <=(-?[\d.]+)/g, "must be $1 or less")
    .replace(/Too big: expected number to be <(-?[\d.]+)/g, "must be less than $1")
    .replace(/Too big: expected (string|array) to have <=([\d,]+) (\w+)/g, "may have at most $2 $3")
    .replace(/Invalid input: expected (\w+), received undefined/g, "is missing")
    .replace(/Invalid input: expected (\w+), received (\w+)/g, "must be a $1, not a $2")
    .replace(
      /Invalid option: expected one of (.+)/g,
      (_, options: string) => `must be one of ${options.replaceAll("|", ", ")}`,
    )
    .replace(/Unrecognized keys?: (.+)/g, "has unknown field(s) $1");
}

function jobsSection(jobs: JobSummaryRow[], now: Date): string {
  const rows = jobs.map((job) => {
    const value = job.total_value === null ? "—" : usdRounded(Number(job.total_value));
    const outlook =
      job.success_rate === null
        ? "—"
        : `${Number(job.success_rate).toLocaleString("en-US", { maximumFractionDigits: 1 })}% of paths`;
    const status = escapeHtml(job.status);
    return `<tr><td><a href="/jobs/${job.id}">${escapeHtml(job.display_name ?? job.clerk_user_id)}</a></td><td class="num">${value}</td><td>${outlook}</td><td><span class="status status-${status}">${status}</span></td><td><time datetime="${escapeHtml(new Date(job.created_at).toISOString())}" title="${escapeHtml(humanTime(new Date(job.created_at).toISOString()))}">${escapeHtml(ago(job.created_at, now))}</time></td></tr>`;
  });
  const table =
    rows.length === 0
      ? '<p class="absent">No jobs yet: analyse a file or the demo user above.</p>'
      : `<div class="scroll"><table class="kv jobs"><thead><tr><th>Person</th><th>Value</th><th>Outlook</th><th>Status</th><th>When</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
  return `<section id="jobs"><h2>Jobs</h2>${table}</section>`;
}

/** "just now", "12 min ago", "3 h ago", else the date and time (UTC). */
export function ago(createdAt: string | Date, now: Date): string {
  const at = new Date(createdAt);
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  if (minutes < 12 * 60) return `${Math.floor(minutes / 60)} h ago`;
  return humanTime(at.toISOString());
}

/** A page for what went wrong, in plain words, with the way back. */
export function errorPage(title: string, message: string): string {
  return documentHtml(
    `Alex console: ${title}`,
    `${consoleHeader()}<section id="error"><h2>${escapeHtml(title)}</h2><p>${escapeHtml(message)}</p><p><a href="/">← Back to the jobs</a></p></section>`,
    { policy: CONSOLE_POLICY },
  );
}

/** The names of the states running now (entered, not yet left), Map items included, in the order they started. */
export function runningStates(events: { type: string; state?: string; index?: number }[]): string[] {
  const open = new Map<string, string>();
  for (const event of events) {
    if (!event.state) continue;
    const key = `${event.state}#${event.index ?? ""}`;
    if (event.type === "StateEntered") open.set(key, event.state);
    else if (event.type === "StateExited" || event.type === "StateFailed") open.delete(key);
  }
  return [...new Set(open.values())];
}
