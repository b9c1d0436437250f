/**
 * `npm run test:mutations`: applies one-line widenings of the deployment's permissions, one at a time, to
 * a temporary copy of the tree, runs the permission tests on each, and prints "caught" or "MISSED".
 * Exits 1 if any widening passes the tests (or no longer applies). Not part of `npm test` (about a minute).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";

interface Mutation {
  what: string;
  file: string;
  from: string;
  to: string;
}

const PERMISSION_TESTS = ["tests/infra/permissions.test.ts", "tests/infra/deployed-permissions.test.ts"];

/** Each is a one-line edit that widens what the deployment may do. */
const MUTATIONS: Mutation[] = [
  {
    what: "wildcard resource: the functions' role secret becomes any secret",
    file: "lib/infra/permissions.ts",
    from: `{ actions: ["secretsmanager:GetSecretValue"], resources: [db.secretArn] },`,
    to: `{ actions: ["secretsmanager:GetSecretValue"], resources: ["*"] },`,
  },
  {
    what: "extra action: Data API batches for every function",
    file: "lib/infra/permissions.ts",
    from: `{ actions: ["rds-data:ExecuteStatement"], resources: [db.clusterArn] },`,
    to: `{ actions: ["rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement"], resources: [db.clusterArn] },`,
  },
  {
    what: "wildcard resource: the job starter may start any state machine",
    file: "lib/infra/permissions.ts",
    from: `{ actions: ["states:StartExecution", "states:ListExecutions"], resources: [stateMachineArn] },`,
    to: `{ actions: ["states:StartExecution", "states:ListExecutions"], resources: ["*"] },`,
  },
  {
    what: "extra action: the reporter may write vectors",
    file: "lib/infra/permissions.ts",
    from: `{ actions: ["s3vectors:QueryVectors", "s3vectors:GetVectors"], resources: [kb.indexArn] },`,
    to: `{ actions: ["s3vectors:QueryVectors", "s3vectors:GetVectors", "s3vectors:PutVectors"], resources: [kb.indexArn] },`,
  },
  {
    what: "wildcard action: the schedule role may do anything in Lambda",
    file: "lib/infra/permissions.ts",
    from: `return [{ actions: ["lambda:InvokeFunction"], resources: [functionArn, \`\${functionArn}:*\`] }];`,
    to: `return [{ actions: ["lambda:*"], resources: [functionArn, \`\${functionArn}:*\`] }];`,
  },
  {
    what: "dropped condition: a profile's foundation model usable without the profile",
    file: "lib/infra/permissions.ts",
    from: `conditions: [{ test: "StringEquals", variable: "bedrock:InferenceProfileArn", values: [profileArn] }],`,
    to: "",
  },
  {
    what: "dropped condition: every service trust policy loses aws:SourceAccount",
    file: "lib/infra/permissions.ts",
    from: "...(account ? { Condition: { StringEquals: {",
    to: "...(false ? { Condition: { StringEquals: {",
  },
  {
    what: "SQS source: the job starter reads the dead-letter queue",
    file: "stacks/pipeline.ts",
    from: "jobStarterSource({ queueArn: queues.jobs.arn, fn: starter });",
    to: "jobStarterSource({ queueArn: queues.deadLetters.arn, fn: starter });",
  },
  {
    what: "dropped condition: the scheduler's trust policy in the wiring (no account)",
    file: "stacks/market-data.ts",
    from: `trustPolicy("scheduler.amazonaws.com", id)`,
    to: `trustPolicy("scheduler.amazonaws.com")`,
  },
  {
    what: "dropped condition: any EventBridge rule may invoke the sweep function (no sourceArn)",
    file: "stacks/pipeline.ts",
    from: '    sourceArn: rule.arn,\n  });\n  new aws.cloudwatch.EventTarget("SweepStuckJobsTarget"',
    to: '  });\n  new aws.cloudwatch.EventTarget("SweepStuckJobsTarget"',
  },
  {
    what: "dropped condition: the execution-ended rule matches every state machine's executions",
    file: "lib/pipeline/events.ts",
    from: "detail: { stateMachineArn: [stateMachineArn], status: [...ENDED_UNSUCCESSFULLY] },",
    to: "detail: { status: [...ENDED_UNSUCCESSFULLY] },",
  },
  {
    what: "SQS source: the dead-letter consumer reads the jobs queue instead",
    file: "stacks/pipeline.ts",
    from: "deadLetterConsumer({ queueArn: queues.deadLetters.arn, fn: functions.deadLetters });",
    to: "deadLetterConsumer({ queueArn: queues.jobs.arn, fn: functions.deadLetters });",
  },
  {
    what: "extra link: the knowledge base for the tagger",
    file: "lib/infra/functions.ts",
    from: `tagger: task("tagger", "Tagger", ["Database"]),`,
    to: `tagger: task("tagger", "Tagger", ["Database", "KnowledgeBase"]),`,
  },
  {
    what: "extra link: the market-data key (an sst.Secret) for the reporter",
    file: "lib/infra/functions.ts",
    from: `reporter: task("reporter", "Reporter", ["Database", "KnowledgeBase"], KNOWLEDGE_BASE_ENVIRONMENT),`,
    to: `reporter: task("reporter", "Reporter", ["Database", "KnowledgeBase", "PolygonApiKey"], KNOWLEDGE_BASE_ENVIRONMENT),`,
  },
  {
    what: "master secret: the planner linked as the master user",
    file: "lib/infra/functions.ts",
    from: `planner: task("planner", "Planner", ["Database"]),`,
    to: `planner: task("planner", "Planner", ["DatabaseAdmin"]),`,
  },
  {
    what: "master secret: the functions' database link reads the master secret (wiring)",
    file: "stacks/database.ts",
    from: "include: databaseGrants({ clusterArn: aurora.clusterArn, secretArn: secret.arn }).map((g) =>",
    to: "include: databaseGrants({ clusterArn: aurora.clusterArn, secretArn: aurora.secretArn }).map((g) =>",
  },
  {
    what: "role to an extra function: the sweeper gets the dead-letter consumer's grants",
    file: "lib/infra/functions.ts",
    from: "    scheduled: true,\n",
    to: "    scheduled: true, deadLetterConsumer: true,\n",
  },
  {
    what: "role to an extra function: the app database role for the price refresh too",
    file: "sst.config.ts",
    from: "        DatabasePrices: db.prices,",
    to: "        DatabasePrices: db.app,",
  },
  {
    what: "extra links: every function linked to everything (wiring)",
    file: "stacks/functions.ts",
    from: "link: spec.links.map((link) => links[link]),",
    to: "link: Object.values(links),",
  },
  {
    what: "extra function: the state machine may invoke any function",
    file: "stacks/state-machine.ts",
    from: "policyDocument(stateMachineGrants(Object.values(values)))",
    to: `policyDocument(stateMachineGrants([...Object.values(values), "arn:aws:lambda:*"]))`,
  },
];

const ROOT = resolve(import.meta.dirname, "..");

/** A copy of the tracked (and new, unignored) files, sharing node_modules. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), "alex-mutations-"));
  const files = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
    .stdout.split("\0")
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  // No global setup (the database template): the permission tests need none.
  writeFileSync(
    join(dir, "vitest.mutations.config.mjs"),
    `export default { test: { include: ${JSON.stringify(PERMISSION_TESTS)}, pool: "threads", maxWorkers: 2, env: { ALEX_LOG_LEVEL: "SILENT" } } };\n`,
  );
  return dir;
}

/** The permission test files that fail in `dir` (none: they all pass). */
function failingTests(dir: string): string[] {
  const run = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "vitest.mutations.config.mjs", "--reporter=dot"],
    { cwd: dir, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } },
  );
  if (run.status === 0) return [];
  const files = PERMISSION_TESTS.filter((file) => run.stdout.includes(`FAIL  ${file}`) || run.stderr.includes(file));
  return files.length > 0 ? files : [`exit ${run.status ?? run.signal}`];
}

function main(): number {
  const dir = copyTree();
  try {
    if (failingTests(dir).length > 0) {
      console.error("The permission tests fail on the unmutated tree: fix them first.");
      return 1;
    }
    let missed = 0;
    for (const [i, m] of MUTATIONS.entries()) {
      const path = join(dir, m.file);
      const original = readFileSync(path, "utf8");
      const at = original.indexOf(m.from);
      const label = `${String(i + 1).padStart(2)}. ${m.what} (${m.file})`;
      if (at < 0 || original.indexOf(m.from, at + 1) >= 0) {
        console.log(`MISSED  ${label}: the line to mutate is not found exactly once; update this script`);
        missed++;
        continue;
      }
      writeFileSync(path, original.slice(0, at) + m.to + original.slice(at + m.from.length));
      const failing = failingTests(dir);
      writeFileSync(path, original);
      if (failing.length === 0) missed++;
      console.log(
        `${failing.length > 0 ? "caught" : "MISSED"}  ${label}${failing.length > 0 ? `\n          by ${failing.map((f) => f.replace("tests/infra/", "")).join(", ")}` : ""}`,
      );
    }
    console.log(
      `\n${MUTATIONS.length - missed} of ${MUTATIONS.length} widenings caught by ${PERMISSION_TESTS.join(", ")}`,
    );
    return missed === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = main();
