import { FUNCTIONS, type FunctionName } from "../../lib/infra/functions.js";
import { type Grant, policyDocument } from "../../lib/infra/permissions.js";
import { TASK_NAMES } from "../../lib/pipeline/tasks.js";
import { ACCOUNT, mockArn, REGION } from "./fake-sst.js";

/**
 * THE table of what the deployment may do, written out by hand: every role's statements (`allow
 * action resource [if condition]`), trust policy (`trust service [if condition]`), links (`link
 * Name`, `link secret Name`), who may invoke each function and what feeds it. Both the pure grants
 * (permissions.test.ts) and the stacks as wired (deployed-permissions.test.ts) must match it line
 * for line, so a wider grant anywhere fails a test; a new permission is a deliberate edit here (a new
 * function is one more entry). ARNs are the ones `fake-sst.ts` makes up for the stacks' resources.
 */
export const BEDROCK_REGION = "us-west-2";
export const ENDPOINT = "alex-orchestra-dev-embeddings";
export const IMAGE = `763104351884.dkr.ecr.${REGION}.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04`;
const CLUSTER = `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:DatabaseCluster`;
export const LINKS = {
  Database: { clusterArn: CLUSTER, secretArn: mockArn("secretsmanager", "secret", "DatabaseAppSecret") },
  DatabasePrices: { clusterArn: CLUSTER, secretArn: mockArn("secretsmanager", "secret", "DatabasePricesSecret") },
  DatabaseAdmin: {
    clusterArn: CLUSTER,
    secretArn: mockArn("secretsmanager", "secret", "DatabaseClusterMasterSecret"),
    appSecretArn: mockArn("secretsmanager", "secret", "DatabaseAppSecret"),
    pricesSecretArn: mockArn("secretsmanager", "secret", "DatabasePricesSecret"),
  },
  KnowledgeBase: {
    endpointArn: mockArn("sagemaker", "endpoint", "EmbeddingEndpoint"),
    indexArn: mockArn("s3", "vectors-index", "KnowledgeIndex"),
  },
};
export const functionArn = (name: FunctionName) =>
  `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTIONS[name].resource}`;
export const TASK_ARNS = TASK_NAMES.map(functionArn);
export const QUEUE_ARN = mockArn("sqs", "queue", "Jobs");
export const DLQ_ARN = mockArn("sqs", "queue", "JobsDeadLetters");
export const MACHINE_ARN = mockArn("sfn", "state-machine", "AnalysisStateMachine");
const ENDPOINT_LOGS = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${ENDPOINT}`;
const THIS_ACCOUNT = ` if {"StringEquals":{"aws:SourceAccount":"${ACCOUNT}"}}`;

const allow = (actions: string[], ...resources: string[]) =>
  actions.flatMap((action) => resources.map((resource) => `allow ${action} ${resource}`));
const DB = [
  "link Database",
  ...allow(["rds-data:ExecuteStatement"], CLUSTER),
  ...allow(["secretsmanager:GetSecretValue"], LINKS.Database.secretArn),
];
const MODEL = allow(
  ["bedrock:InvokeModel"],
  `arn:aws:bedrock:${BEDROCK_REGION}::foundation-model/openai.gpt-oss-120b-1:0`,
);
const invokedBy = (rule: string) =>
  `invoked by events.amazonaws.com (lambda:InvokeFunction) from ${mockArn("cloudwatch", "event-rule", rule)}`;

export const EXPECTED: Record<string, string[]> = {
  "function prepareJob": DB,
  "function refreshPrices": [
    "link DatabasePrices",
    ...allow(["rds-data:ExecuteStatement"], CLUSTER),
    ...allow(["secretsmanager:GetSecretValue"], LINKS.DatabasePrices.secretArn),
    "link secret PolygonApiKey",
  ],
  "function tagger": [...MODEL, ...DB],
  "function planner": [...MODEL, ...DB],
  "function reporter": [
    ...MODEL,
    ...DB,
    "link KnowledgeBase",
    ...allow(["sagemaker:InvokeEndpoint"], LINKS.KnowledgeBase.endpointArn),
    ...allow(["s3vectors:QueryVectors", "s3vectors:GetVectors"], LINKS.KnowledgeBase.indexArn),
  ],
  "function charter": [...MODEL, ...DB],
  "function retirement": [...MODEL, ...DB],
  "function finalizeJob": DB,
  "function markJobFailed": DB,
  "function migrate": [
    "link DatabaseAdmin",
    ...allow(
      [
        "rds-data:ExecuteStatement",
        "rds-data:BeginTransaction",
        "rds-data:CommitTransaction",
        "rds-data:RollbackTransaction",
      ],
      CLUSTER,
    ),
    ...allow(
      ["secretsmanager:GetSecretValue"],
      LINKS.DatabaseAdmin.secretArn,
      LINKS.DatabaseAdmin.appSecretArn,
      LINKS.DatabaseAdmin.pricesSecretArn,
    ),
  ],
  "function executionEnded": [
    ...DB,
    invokedBy("AnalysisExecutionEnded"),
    `triggered by rule AnalysisExecutionEnded {"source":["aws.states"],"detail-type":["Step Functions Execution Status Change"],"detail":{"stateMachineArn":["${MACHINE_ARN}"],"status":["FAILED","TIMED_OUT","ABORTED"]}}`,
  ],
  "function deadLetters": [
    ...allow(
      ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
      DLQ_ARN,
    ),
    ...DB,
    `event source ${DLQ_ARN}`,
  ],
  "function sweepJobs": [
    ...DB,
    invokedBy("SweepStuckJobsSchedule"),
    "triggered by rule SweepStuckJobsSchedule rate(10 minutes)",
  ],
  "state machine": [
    `trust states.amazonaws.com${THIS_ACCOUNT}`,
    "assumed by aws.sfn.StateMachine AnalysisStateMachine",
    ...allow(["lambda:InvokeFunction"], ...TASK_ARNS.flatMap((arn) => [arn, `${arn}:*`])),
    ...allow(
      [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
      ],
      "*",
    ),
    ...allow(["logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"], "*"),
    ...allow(
      ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
      "*",
    ),
  ],
  "function JobStarter": [
    ...allow(
      ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
      QUEUE_ARN,
    ),
    ...allow(["states:StartExecution", "states:ListExecutions"], MACHINE_ARN),
    `event source ${QUEUE_ARN}`,
  ],
  "price refresh schedule": [
    `trust scheduler.amazonaws.com${THIS_ACCOUNT}`,
    "assumed by aws.scheduler.Schedule PriceRefreshDaily",
    `target ${functionArn("refreshPrices")}`,
    ...allow(["lambda:InvokeFunction"], functionArn("refreshPrices"), `${functionArn("refreshPrices")}:*`),
  ],
  "embedding endpoint": [
    "trust sagemaker.amazonaws.com",
    "assumed by aws.sagemaker.Model EmbeddingModel",
    ...allow(
      ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      `arn:aws:ecr:${REGION}:763104351884:repository/huggingface-pytorch-inference`,
    ),
    ...allow(["ecr:GetAuthorizationToken"], "*"),
    ...allow(
      ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      ENDPOINT_LOGS,
      `${ENDPOINT_LOGS}:*`,
    ),
    ...allow(["cloudwatch:PutMetricData"], "*"),
  ],
};

/** A policy as lines `allow action resource [if condition]`, as IAM reads its JSON. */
export function allowLines(grants: Grant<unknown>[]): string[] {
  const document = JSON.parse(policyDocument(grants as Grant[])) as {
    Statement: { Action: string[]; Resource: string[]; Condition?: unknown }[];
  };
  return document.Statement.flatMap((s) =>
    s.Action.flatMap((action) =>
      s.Resource.map((r) => `allow ${action} ${r}${s.Condition ? ` if ${JSON.stringify(s.Condition)}` : ""}`),
    ),
  );
}

/** Each role's lines beyond the table (`+`) and missing from it (`-`); `only` limits the lines compared. */
export function differences(roles: Record<string, string[]>, only: (line: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const expected = Object.fromEntries(
    Object.entries(EXPECTED)
      .map(([role, lines]) => [role, lines.filter(only)] as const)
      .filter(([, lines]) => lines.length > 0),
  );
  for (const role of new Set([...Object.keys(roles), ...Object.keys(expected)])) {
    const actual = new Set(roles[role] ?? []);
    const wanted = new Set(expected[role] ?? []);
    for (const line of actual) if (!wanted.has(line)) out.push(`${role}: + ${line}`);
    for (const line of wanted) if (!actual.has(line)) out.push(`${role}: - ${line}`);
  }
  return out;
}
