import type { Db } from "../lib/db/driver.js";
import { listTraceSpans } from "../lib/db/repositories/traces.js";
import { describeTraceReport, traceReport } from "../lib/tracing/report.js";
import { renderTraceText } from "../lib/tracing/tree.js";
import { print, printJson } from "./io.js";

/** `alex show JOB --trace`: the job's agent runs as a tree (state → agent → turn → model/tool calls), or JSON. */
export async function showTrace(db: Db, jobId: string, json: boolean): Promise<number> {
  const spans = await listTraceSpans(db, jobId);
  const report = traceReport(spans);
  if (json) printJson({ job_id: jobId, ...report, spans });
  else print(`${renderTraceText(spans)}\n\n${describeTraceReport(report)}`);
  return 0;
}
