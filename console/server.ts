import { timingSafeEqual } from "node:crypto";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { getCookie, setCookie } from "hono/cookie";
import { csrf } from "hono/csrf";
import { streamSSE } from "hono/streaming";
import type { Config } from "../lib/config.js";
import type { Db } from "../lib/db/driver.js";
import { importPortfolio } from "../lib/db/repositories/import-portfolio.js";
import { displayName, listJobSummaries } from "../lib/db/repositories/job-list.js";
import { createOwnedJob, getJob, isJobId, nextQueuedJob } from "../lib/db/repositories/jobs.js";
import {
  type AslDefinition,
  executionGraph,
  renderExecutionGraphSvg,
  type TraceEvent,
} from "../lib/output/execution-graph.js";
import { documentHtml } from "../lib/output/index-html.js";
import { renderJobPage } from "../lib/output/job-output.js";
import { escapeHtml } from "../lib/output/markdown.js";
import { thisProcess } from "../lib/pipeline/local-jobs.js";
import { PortfolioFileError, parsePortfolioFile } from "../lib/portfolio/portfolio-file.js";
import { DEMO_USER_ID, seedDemo } from "../lib/seed/demo.js";
import { FORM_SCRIPT, LIVE_SCRIPT } from "./live-script.js";
import { CONSOLE_POLICY, consoleHeader, errorPage, homePage, runningStates } from "./pages.js";
import { runJobLocally } from "./run-job.js";

/** Largest portfolio file the console accepts. */
export const MAX_UPLOAD_BYTES = 1_000_000;

/** Largest request body: the file plus the form's own few fields. Read as a stream, stopped at the limit. */
const MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 16_384;

/** Most analyses one console holds queued (pending) at once; past it a POST gets 429. */
export const MAX_QUEUED_JOBS = 20;

/** The cookie that carries the console's token after the first visit with `?token=`. */
const TOKEN_COOKIE = "alex_console_token";

/** A job running in this process: its state events so far, and who is listening. */
interface LiveRun {
  events: TraceEvent[];
  listeners: Set<() => void>;
  ended: boolean;
}

export interface ConsoleOptions {
  db: Db;
  config: Config;
  definition: AslDefinition;
  /** Host names the console answers to (a DNS rebinding guard): loopback names by default. */
  hosts?: string[];
  /** When set (any bind beyond loopback), every request must carry it: `?token=`, then a cookie, or a bearer header. */
  token?: string;
}

export const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/**
 * The local console: the job list, each job's page, a form to analyse a portfolio file or the demo
 * user, and a live view of a running job whose graph follows the state machine over server-sent events.
 * Jobs run one at a time in this process, on its single database.
 */
export function createConsoleApp({ db, config, definition, hosts = LOOPBACK_HOSTS, token }: ConsoleOptions) {
  const app = new Hono();
  // Only pages served by this console may post to it (CSRF), and only under a name it is bound to.
  app.use(async (c, next) => {
    const host = new URL(c.req.url).hostname;
    if (!hosts.includes(host)) return c.text(`This console does not answer to the host "${host}".`, 421);
    await next();
  });
  if (token) app.use((c, next) => requireToken(c, next, token));
  app.use(csrf());
  const live = new Map<string, LiveRun>();
  const owner = thisProcess();

  const liveRun = (jobId: string) => {
    let run = live.get(jobId);
    if (!run) {
      run = { events: [], listeners: new Set(), ended: false };
      live.set(jobId, run);
    }
    return run;
  };
  const runQueued = async (jobId: string) => {
    const run = liveRun(jobId);
    const notify = () => {
      for (const listener of run.listeners) listener();
    };
    try {
      await runJobLocally(db, config, jobId, (event) => {
        run.events.push(event);
        notify();
      });
    } catch (error) {
      run.events.push({ type: "ExecutionFailed", at: 0, error: String(error) });
    } finally {
      run.ended = true;
      notify();
    }
  };
  // The queue is the database's: this console's pending jobs, oldest first, run one at a time.
  let draining: Promise<void> = Promise.resolve();
  let running = false;
  let wanted = false;
  const drain = () => {
    wanted = true;
    if (running) return;
    running = true;
    draining = (async () => {
      try {
        while (wanted) {
          wanted = false;
          for (let id = await nextQueuedJob(db, owner); id; id = await nextQueuedJob(db, owner)) await runQueued(id);
        }
      } finally {
        running = false;
      }
    })();
    // A failure here (the database closed under it at shutdown) is idle()'s to report, never unhandled.
    draining.catch(() => {});
  };

  const graphOf = (events: TraceEvent[]) =>
    renderExecutionGraphSvg(executionGraph(definition, events, { mapItems: "merged" }));
  const refused = async (message: string, fileName?: string) =>
    homePage(await listJobSummaries(db, { limit: 50 }), new Date(), { message, fileName });

  app.get("/", async (c) => c.html(homePage(await listJobSummaries(db, { limit: 50 }), new Date())));

  const tooLarge = (c: Context) =>
    c.html(
      errorPage("File too large", `The file is larger than ${MAX_UPLOAD_BYTES.toLocaleString("en-US")} bytes.`),
      413,
      {
        connection: "close",
      },
    );
  app.post("/analyze", bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge }), async (c) => {
    let form: Record<string, string | File>;
    try {
      form = await c.req.parseBody();
    } catch (error) {
      return c.html(await refused(`The form could not be read: ${(error as Error).message}`), 400);
    }
    let userId = DEMO_USER_ID;
    if (form.demo) await seedDemo(db);
    else {
      const file = form.portfolio;
      if (!(file instanceof File) || file.size === 0)
        return c.html(await refused("Choose a portfolio file first, or analyse the demo user."), 400);
      if (file.size > MAX_UPLOAD_BYTES)
        return c.html(
          await refused(`The file is larger than ${MAX_UPLOAD_BYTES.toLocaleString("en-US")} bytes.`, file.name),
          413,
        );
      try {
        userId = await importPortfolio(db, parseUpload(file.name, await file.text()));
      } catch (error) {
        if (error instanceof PortfolioFileError) return c.html(await refused(error.message, file.name), 400);
        throw error;
      }
    }
    // Created already owned by this console (a killed console's jobs are failed at the next open), and only
    // while fewer than MAX_QUEUED_JOBS wait: one statement.
    const request = { clerk_user_id: userId, request_payload: { analysis_type: "portfolio", options: {} } };
    const jobId = await createOwnedJob(db, request, owner, { maxQueued: MAX_QUEUED_JOBS });
    if (!jobId)
      return c.html(
        errorPage(
          "Too many analyses waiting",
          `${MAX_QUEUED_JOBS} analyses are already waiting. Try again when one has finished.`,
        ),
        429,
        { "retry-after": "30" },
      );
    liveRun(jobId);
    drain();
    return c.redirect(`/jobs/${jobId}/live`, 303);
  });

  app.get("/jobs/:id", async (c) => {
    const job = isJobId(c.req.param("id")) ? await getJob(db, c.req.param("id")) : undefined;
    if (!job) return c.html(noSuchJob(c.req.param("id")), 404);
    const person = await displayName(db, job.clerk_user_id);
    const { title, body } = await renderJobPage({ ...job, person }, { definition });
    return c.html(
      documentHtml(title, `<p class="back"><a href="/">← All jobs</a></p>\n${body}`, {
        policy: CONSOLE_POLICY,
      }),
    );
  });

  app.get("/jobs/:id/live", async (c) => {
    const id = c.req.param("id");
    const job = isJobId(id) ? await getJob(db, id) : undefined;
    if (!job) return c.html(noSuchJob(id), 404);
    const run = live.get(id);
    const person = (await displayName(db, job.clerk_user_id)) ?? job.clerk_user_id;
    const title = `Analysing ${person}'s portfolio`;
    const body = [
      consoleHeader(),
      `<section id="live" data-job="${job.id}"><h2>${escapeHtml(title)}</h2>`,
      `<p class="meta">Job <code>${job.id}</code></p>`,
      `<p id="live-status" role="status" aria-live="polite">${run && !run.ended ? "Running…" : `Job ${escapeHtml(job.status)}.`}</p>`,
      `<p id="live-link"${run && !run.ended ? " hidden" : ""}><a href="/jobs/${job.id}">Open the finished job</a></p>`,
      `<figure class="graph" id="live-graph">${graphOf(run?.events ?? [])}</figure>`,
      "</section>",
    ].join("\n");
    return c.html(
      documentHtml(`${title} (live)`, body, {
        head: '<script src="/live.js" defer></script>',
        policy: CONSOLE_POLICY,
      }),
    );
  });

  app.get("/jobs/:id/events", (c) => {
    const run = live.get(c.req.param("id"));
    return streamSSE(c, async (stream) => {
      if (!run) {
        await stream.writeSSE({ event: "end", data: JSON.stringify({ status: "not running" }) });
        return;
      }
      let wake: () => void = () => {};
      const listener = () => wake();
      run.listeners.add(listener);
      stream.onAbort(() => {
        run.listeners.delete(listener);
        wake();
      });
      let sent = -1;
      while (!stream.aborted) {
        if (run.events.length !== sent) {
          sent = run.events.length;
          const last = [...run.events].reverse().find((event) => event.type === "StateEntered");
          await stream.writeSSE({
            event: "graph",
            data: JSON.stringify({
              svg: graphOf(run.events),
              state: last?.state ?? null,
              running: runningStates(run.events),
            }),
          });
          continue;
        }
        if (run.ended) break;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      run.listeners.delete(listener);
      const job = await getJob(db, c.req.param("id"));
      const done = run.events.some((event) => event.type === "StateEntered" && event.state === "Analysis complete");
      await stream.writeSSE({
        event: "end",
        data: JSON.stringify({ status: job?.status ?? "unknown", complete: done }),
      });
    });
  });

  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/live.js", (c) => c.body(LIVE_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/form.js", (c) => c.body(FORM_SCRIPT, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.notFound((c) =>
    c.html(errorPage("Page not found", `There is no page at ${new URL(c.req.url).pathname} in this console.`), 404),
  );

  /** Resolves once every queued job has run. */
  const idle = async () => {
    while (running) await draining;
  };
  return { app, idle };
}

/**
 * The token check for a console bound beyond loopback: `?token=` once (then kept in an HttpOnly, same-site
 * cookie), or `Authorization: Bearer`. Anything else gets 401 and nothing else.
 */
async function requireToken(c: Context, next: () => Promise<void>, token: string) {
  const inQuery = c.req.query("token");
  const bearer = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
  const given = inQuery ?? bearer ?? getCookie(c, TOKEN_COOKIE);
  if (given === undefined || !sameSecret(given, token))
    return c.html(
      errorPage(
        "Token required",
        "This console needs the token printed when it started: open the address it printed (with ?token=…).",
      ),
      401,
    );
  if (inQuery !== undefined) {
    setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
    if (c.req.method === "GET") {
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
  }
  await next();
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseUpload(name: string, text: string) {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PortfolioFileError(`${name} is not JSON: ${(error as Error).message}`);
  }
  return parsePortfolioFile(data, name);
}

function noSuchJob(id: string): string {
  return errorPage("Job not found", `There is no job ${id} in this console's database.`);
}
