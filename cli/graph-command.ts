import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { localDefinition } from "../console/run-job.js";
import type { JobRow } from "../lib/db/repositories/jobs.js";
import { executionGraphSvg, OUTPUT_FILES } from "../lib/output/job-output.js";
import { progress } from "./io.js";

/** `alex show JOB --graph`: writes the drawn execution to `<out>/<job>/execution.svg`; false when no trace was saved. */
export async function writeGraph(job: JobRow, outDir: string): Promise<boolean> {
  const svg = executionGraphSvg(job.summary_payload, localDefinition());
  if (!svg) {
    progress(`alex: job ${job.id} has no saved execution trace to draw`);
    return false;
  }
  const dir = resolve(outDir, job.id);
  await mkdir(dir, { recursive: true });
  const path = join(dir, OUTPUT_FILES.graph);
  await writeFile(path, svg, "utf8");
  progress(`Graph: ${path}`);
  return true;
}
