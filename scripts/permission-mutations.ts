/**
 * The one-line widenings of the deployment's permissions that `npm run test:mutations` (`./test-mutations.ts`)
 * applies one at a time; `tests/infra/permission-mutations.test.ts` checks each still finds its line.
 */

export interface Mutation {
  what: string;
  file: string;
  from: string;
  to: string;
}

export const PERMISSION_TESTS = ["tests/infra/permissions.test.ts", "tests/infra/deployed-permissions.test.ts"];

/** Each is a one-line edit that widens what the deployment may do. */
export const MUTATIONS: Mutation[] = [
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
    from: `tagger: task("tagger", LEAD_AGENTS.tagger.resource, ["Database"]),`,
    to: `tagger: task("tagger", LEAD_AGENTS.tagger.resource, ["Database", "KnowledgeBase"]),`,
  },
  {
    what: "extra link: the market-data key (an sst.Secret) for the reporter (the roster's knowledge-base specialists)",
    file: "lib/infra/functions.ts",
    from: `? task(name, resource, ["Database", "KnowledgeBase"], KNOWLEDGE_BASE_ENVIRONMENT)`,
    to: `? task(name, resource, ["Database", "KnowledgeBase", "PolygonApiKey"], KNOWLEDGE_BASE_ENVIRONMENT)`,
  },
  {
    what: "master secret: the planner linked as the master user",
    file: "lib/infra/functions.ts",
    from: `planner: task("planner", LEAD_AGENTS.planner.resource, ["Database"]),`,
    to: `planner: task("planner", LEAD_AGENTS.planner.resource, ["DatabaseAdmin"]),`,
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
