/**
 * `npm run bench [-- --quick] [-- --with-tests] [-- --only=bundles,db,size,model,cli,sim,tests]`
 *
 * Measures every row of issue 13's table (docs/performance.md says what each row means and how it is measured),
 * prints one Markdown table (ours as min / median over the repetitions of one run, the target, the baselines,
 * ok / over) and writes the same data with the machine's details to bench.json.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { machineInfo } from "./bench/machine.js";
import {
  bundleRows,
  cliRows,
  databaseRows,
  modelRows,
  type Reps,
  simulationRows,
  sizeRows,
  testSuiteRows,
} from "./bench/sections.js";
import { failedRow, markdownTable, type Row } from "./bench/table.js";
import type { BundleFigure } from "./bundle-sizes.js";

const SECTIONS = {
  bundles: "Lambda bundles",
  db: "database work",
  size: "5,000 holdings",
  model: "model calls and critical path",
  cli: "CLI processes",
  sim: "Monte Carlo, 4% rule, demo job",
  tests: "npm test",
} as const;
type Section = keyof typeof SECTIONS;

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    "with-tests": { type: "boolean", default: false },
    only: { type: "string" },
    json: { type: "string", default: "bench.json" },
  },
});
const only = values.only?.split(",").map((s) => s.trim()) as Section[] | undefined;
for (const name of only ?? []) {
  if (!(name in SECTIONS))
    throw new Error(`--only: unknown section "${name}" (one of ${Object.keys(SECTIONS).join(", ")})`);
}
const reps: Reps = { quick: values.quick, withTests: values["with-tests"] };
const machine = machineInfo();
const started = performance.now();
console.log(
  `node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, load average ${machine.loadAverage.join(" ")}, commit ${machine.gitCommit.slice(0, 9)}${machine.gitDirty ? " (dirty)" : ""}${reps.quick ? ", --quick" : ""}`,
);

let bundles: BundleFigure[] = [];
const runners: Record<Section, () => Promise<Row[]>> = {
  bundles: async () => {
    const result = await bundleRows(reps);
    bundles = result.bundles;
    return result.rows;
  },
  db: () => databaseRows(reps),
  size: () => sizeRows(reps),
  model: () => modelRows(reps),
  cli: () => cliRows(reps),
  sim: () => simulationRows(reps),
  tests: () => testSuiteRows(reps),
};

const rows: Row[] = [];
for (const section of Object.keys(SECTIONS) as Section[]) {
  if (only && !only.includes(section)) continue;
  try {
    rows.push(...(await runners[section]()));
  } catch (error) {
    rows.push(failedRow(SECTIONS[section], SECTIONS[section], "", error));
  }
}

const seconds = (performance.now() - started) / 1000;
console.log(`\n${markdownTable(rows)}\n`);
const over = rows.filter((r) => r.status === "over" || r.status === "error");
console.log(
  `${rows.length} rows in ${seconds.toFixed(0)} s: ${rows.filter((r) => r.status === "ok").length} ok, ${over.length} over or failed. ` +
    `Load average at the end ${machineInfo().loadAverage.join(" ")} (2 cores shared: figures are inflated when it is above ~1).`,
);
writeFileSync(
  values.json,
  `${JSON.stringify({ generatedAt: new Date().toISOString(), seconds, options: reps, machine, loadAverageAtEnd: machineInfo().loadAverage, rows, bundles }, null, 2)}\n`,
);
console.log(`wrote ${values.json}`);
