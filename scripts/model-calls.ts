/**
 * Model calls per job, in a row, and job wall time against the critical path at 300 ms per model call, through the
 * real state machine on the offline model: `npx tsx scripts/model-calls.ts [runs]`. `npm run bench` reports the same
 * figures through tests/support/model-calls.ts; this prints each run.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../lib/config.js";
import { migrate } from "../lib/db/migrate.js";
import { PgliteDb } from "../lib/db/pglite.js";
import { createKnowledgeBase } from "../lib/knowledge/knowledge-base.js";
import { seedDemo } from "../lib/seed/demo.js";
import { measureCriticalPath } from "../tests/support/model-calls.js";
import { userWithJob } from "../tests/support/pipeline.js";

const LATENCY_MS = 300;
const runs = Number(process.argv[2] ?? 5);

const db = await PgliteDb.memory();
await migrate(db);
await seedDemo(db);
const config = loadConfig({
  ALEX_MODEL: "offline",
  ALEX_KNOWLEDGE_DIR: mkdtempSync(join(tmpdir(), "alex-model-calls-kb-")),
  ALEX_LOG_LEVEL: "SILENT",
});
const deps = { db, config, knowledge: await createKnowledgeBase(config) };
let users = 0;
/** A classified portfolio (no tagging) with retirement goals: all three specialists run. */
const newJob = () =>
  userWithJob(
    db,
    `model-calls-${users++}`,
    [
      [
        { symbol: "SPY", quantity: 100 },
        { symbol: "BND", quantity: 200 },
      ],
      [
        { symbol: "QQQ", quantity: 50 },
        { symbol: "VEA", quantity: 80 },
      ],
    ],
    { years_until_retirement: 25 },
  );

await measureCriticalPath(deps, newJob, LATENCY_MS); // warm-up
const ratios: number[] = [];
for (let i = 0; i < runs; i++) {
  const { job, nonModelOnPathMs, criticalPathMs, ratio } = await measureCriticalPath(deps, newJob, LATENCY_MS);
  ratios.push(ratio);
  console.log(
    `${job.calls} model calls ${JSON.stringify(job.byAgent)}, ${job.chain.length} in a row (${job.chain.join(" → ")}); ` +
      `wall ${job.wallMs.toFixed(0)} ms, critical path ${criticalPathMs.toFixed(0)} ms ` +
      `(${job.chain.length} × ${LATENCY_MS} + ${nonModelOnPathMs.toFixed(0)} non-model), ratio ${ratio.toFixed(3)}`,
  );
}
ratios.sort((a, b) => a - b);
console.log(
  `wall / critical path at ${LATENCY_MS} ms per call: min ${ratios[0].toFixed(3)}, median ${ratios[Math.floor(runs / 2)].toFixed(3)}`,
);
await db.close();
