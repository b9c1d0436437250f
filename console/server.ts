import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { streamSSE } from "hono/streaming";
import type { Config } from "../lib/config.js";
import type { Db } from "../lib/db/driver.js";
import { importPortfolio } from "../lib/db/repositories/import-portfolio.js";
import { displayName, listJobSummaries } from "../lib/db/repositories/job-list.js";
import { createJob, getJob, isJobId } from "../lib/db/repositories/jobs.js";
import {
  type AslDefinition,
  executionGraph,
  renderExecutionGraphSvg,
  type TraceEvent,
} from "../lib/output/execution-graph.js";
import { documentHtml } from "../lib/output/index-html.js";
import { renderJobPage } from "../lib/output/job-output.js";
import { escapeHtml } from "../lib/output/markdown.js";
import { ownJob } from "../lib/pipeline/local-jobs.js";
import { PortfolioFileError, parsePortfolioFile } from "../lib/portfolio/portfolio-file.js";
import { DEMO_USER_ID, seedDemo } from "../lib/seed/demo.js";
import { FORM_SCRIPT, LIVE_SCRIPT } from "./live-script.js";
import { CONSOLE_POLICY, consoleHeader, errorPage, homePage, runningStates } from "./pages.js";
import { runJobLocally } from "./run-job.js";

/** Largest portfolio file the console accepts. */
export const MAX_UPLOAD_BYTES = 1_000_000;

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
  /** Host names the console answers to (a DNS rebinding guard): loopback names by default, "any" beyond loopback. */
  hosts?: string[] | "any";
}

const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

/**
 * The local console: the job list, each job's page, a form to analyse a portfolio file or the demo
 * user, and a live view of a running job whose graph follows the state machine over server-sent events.
 * Jobs run one at a time in this process, on its single database.
 */
export function createConsoleApp({ db, config, definition, hosts = LOOPBACK_HOSTS }: ConsoleOptions) {
  const app = new Hono();
  // Only pages served by this console may post to it (CSRF), and only under a name it is bound to.
  app.use(async (c, next) => {
    const host = new URL(c.req.url).hostname;
    if (hosts !== "any" && !hosts.includes(host))
      return c.text(`This console does not answer to the host "${host}".`, 421);
    await next();
  });
  app.use(csrf());
  const live = new Map<string, LiveRun>();
  let queue: Promise<unknown> = Promise.resolve();

  const start = (jobId: string) => {
    const run: LiveRun = { events: [], listeners: new Set(), ended: false };
    live.set(jobId, run);
    const notify = () => {
      for (const listener of run.listeners) listener();
    };
    queue = queue
      .then(() =>
        runJobLocally(db, config, jobId, (event) => {
          run.events.push(event);
          notify();
        }),
      )
      .catch((error: unknown) => run.events.push({ type: "ExecutionFailed", at: 0, error: String(error) }))
      .finally(() => {
        run.ended = true;
        notify();
      });
  };

  const graphOf = (events: TraceEvent[]) =>
    renderExecutionGraphSvg(executionGraph(definition, events, { mapItems: "merged" }));
  const refused = async (message: string, fileName?: string) =>
    homePage(await listJobSummaries(db, { limit: 50 }), new Date(), { message, fileName });

  app.get("/", async (c) => c.html(homePage(await listJobSummaries(db, { limit: 50 }), new Date())));

  app.post("/analyze", async (c) => {
    const form = await c.req.parseBody();
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
    const jobId = await createJob(db, {
      clerk_user_id: userId,
      request_payload: { analysis_type: "portfolio", options: {} },
    });
    await ownJob(db, jobId); // a queued job of a console that is killed is failed as interrupted on the next open
    start(jobId);
    return c.redirect(`/jobs/${jobId}/live`, 303);
  });

  app.get("/jobs/:id", async (c) => {
    const job = isJobId(c.req.param("id")) ? await getJob(db, c.req.param("id")) : undefined;
    if (!job) return c.html(noSuchJob(c.req.param("id")), 404);
    const { title, body } = await renderJobPage(job, { definition });
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

  return { app, idle: () => queue };
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
