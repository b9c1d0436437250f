import type { ModelChoice } from "../config.js";
import { ecrRepositoryArn } from "./embedding-image.js";
import { FUNCTIONS, type FunctionName, type FunctionSpec, type LinkName } from "./functions.js";

/**
 * The one declaration of what every role in the app may do. Pure: ARNs in, IAM statements out, so
 * `tests/infra/permissions.test.ts` checks it without Pulumi and the stacks deploy exactly this.
 * Generic in the string type so link grants also accept Pulumi outputs.
 */
export interface Grant<S = string> {
  actions: string[];
  resources: S[];
  conditions?: GrantCondition<S>[];
}

export interface GrantCondition<S = string> {
  test: string;
  variable: string;
  values: S[];
}

/**
 * The only actions that may use the resource `*`: AWS defines no resource type for them, so IAM
 * accepts nothing else. Everything else names its resources.
 */
export const RESOURCE_WILDCARD_ACTIONS: Readonly<Record<string, string>> = {
  "logs:CreateLogDelivery": "Step Functions logging: CloudWatch Logs vended-log delivery APIs",
  "logs:GetLogDelivery": "Step Functions logging",
  "logs:UpdateLogDelivery": "Step Functions logging",
  "logs:DeleteLogDelivery": "Step Functions logging",
  "logs:ListLogDeliveries": "Step Functions logging",
  "logs:PutResourcePolicy": "Step Functions logging",
  "logs:DescribeResourcePolicies": "Step Functions logging",
  "logs:DescribeLogGroups": "Step Functions logging",
  "xray:PutTraceSegments": "Step Functions tracing: X-Ray has no resource-level permissions",
  "xray:PutTelemetryRecords": "Step Functions tracing",
  "xray:GetSamplingRules": "Step Functions tracing",
  "xray:GetSamplingTargets": "Step Functions tracing",
  "ecr:GetAuthorizationToken": "SageMaker endpoint role: the ECR login token is account-wide",
  "cloudwatch:PutMetricData": "SageMaker endpoint role: metrics have no resource type",
};

// ---- Link grants: what linking `Database` or `KnowledgeBase` gives a function -------------------

/**
 * What the functions get: single statements through the Data API on the one cluster (none of them
 * opens a transaction or batches), authenticated as their database role (`alex_app`, or `alex_prices`
 * for the price refresh) by reading that role's own secret — never the master secret.
 */
export function databaseGrants<S>(db: { clusterArn: S; secretArn: S }): Grant<S>[] {
  return [
    { actions: ["rds-data:ExecuteStatement"], resources: [db.clusterArn] },
    { actions: ["secretsmanager:GetSecretValue"], resources: [db.secretArn] },
  ];
}

/**
 * What `migrate` alone gets: statements and transactions (each migration runs in one) as the master
 * user, and reading the function roles' secrets to set those roles' passwords.
 */
export function databaseAdminGrants<S>(db: {
  clusterArn: S;
  secretArn: S;
  appSecretArn: S;
  pricesSecretArn: S;
}): Grant<S>[] {
  return [
    {
      actions: [
        "rds-data:ExecuteStatement",
        "rds-data:BeginTransaction",
        "rds-data:CommitTransaction",
        "rds-data:RollbackTransaction",
      ],
      resources: [db.clusterArn],
    },
    { actions: ["secretsmanager:GetSecretValue"], resources: [db.secretArn, db.appSecretArn, db.pricesSecretArn] },
  ];
}

/** The dead-letter consumer reads and deletes the messages of the one dead-letter queue. */
function deadLetterQueueGrants(queueArn: string): Grant[] {
  return [
    {
      actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
      resources: [queueArn],
    },
  ];
}

/**
 * The embedding endpoint and vector queries on the one index. `QueryVectors` with a metadata filter
 * or `returnMetadata` also needs `GetVectors` (S3 Vectors API reference, QueryVectors "Permissions").
 */
export function knowledgeBaseGrants<S>(kb: { endpointArn: S; indexArn: S }): Grant<S>[] {
  return [
    { actions: ["sagemaker:InvokeEndpoint"], resources: [kb.endpointArn] },
    { actions: ["s3vectors:QueryVectors", "s3vectors:GetVectors"], resources: [kb.indexArn] },
  ];
}

// ---- Bedrock --------------------------------------------------------------------------------------

/** System-defined cross-Region inference profiles are the model id with a geography prefix. */
const INFERENCE_PROFILE_PREFIX = /^(us|eu|apac|us-gov|jp|au|ca|global)\.(?=[^.]+\.)/;

export interface BedrockTarget {
  partition: string;
  account: string;
  /** BEDROCK_REGION: the only Region the functions call Bedrock in. */
  region: string;
  modelId: string;
}

/**
 * `bedrock:InvokeModel` (Converse is authorised by it; the agents don't stream) on the configured
 * model in BEDROCK_REGION only. A cross-Region inference profile id (`us.…`) gets the profile in
 * BEDROCK_REGION plus the foundation model in the Regions the profile routes to, and that second
 * statement is usable only through this profile (condition on `bedrock:InferenceProfileArn`).
 */
function bedrockGrants({ partition, account, region, modelId }: BedrockTarget): Grant[] {
  const prefix = INFERENCE_PROFILE_PREFIX.exec(modelId);
  if (!prefix) {
    return [
      {
        actions: ["bedrock:InvokeModel"],
        resources: [`arn:${partition}:bedrock:${region}::foundation-model/${modelId}`],
      },
    ];
  }
  const profileArn = `arn:${partition}:bedrock:${region}:${account}:inference-profile/${modelId}`;
  const foundationModelId = modelId.slice(prefix[0].length);
  return [
    { actions: ["bedrock:InvokeModel"], resources: [profileArn] },
    {
      actions: ["bedrock:InvokeModel"],
      resources: [`arn:${partition}:bedrock:*::foundation-model/${foundationModelId}`],
      conditions: [{ test: "StringEquals", variable: "bedrock:InferenceProfileArn", values: [profileArn] }],
    },
  ];
}

// ---- Functions ------------------------------------------------------------------------------------

export interface ModelInputs {
  partition: string;
  account: string;
  model: ModelChoice;
  bedrockRegion: string;
  /** The jobs dead-letter queue (the dead-letter consumer's event source). */
  deadLetterQueueArn: string;
}

/** The function role's own statements (the stacks pass these as `permissions`); links add theirs. */
export function ownGrants(name: FunctionName, inputs: ModelInputs): Grant[] {
  const spec: FunctionSpec = FUNCTIONS[name];
  if (spec.deadLetterConsumer) return deadLetterQueueGrants(inputs.deadLetterQueueArn);
  if (!spec.bedrock || inputs.model.provider !== "bedrock") return [];
  return bedrockGrants({
    partition: inputs.partition,
    account: inputs.account,
    region: inputs.bedrockRegion,
    modelId: inputs.model.modelId,
  });
}

export interface LinkTargets {
  Database: { clusterArn: string; secretArn: string };
  DatabasePrices: { clusterArn: string; secretArn: string };
  DatabaseAdmin: { clusterArn: string; secretArn: string; appSecretArn: string; pricesSecretArn: string };
  KnowledgeBase: { endpointArn: string; indexArn: string };
}

/**
 * What each link grants, keyed by link name (the stacks put these on the linkable resources). An
 * `sst.Secret` grants nothing in IAM: SST encrypts its value into the linked function's own bundle.
 */
function linkGrants(link: LinkName, targets: LinkTargets): Grant[] {
  switch (link) {
    case "Database":
      return databaseGrants(targets.Database);
    case "DatabasePrices":
      return databaseGrants(targets.DatabasePrices);
    case "DatabaseAdmin":
      return databaseAdminGrants(targets.DatabaseAdmin);
    case "KnowledgeBase":
      return knowledgeBaseGrants(targets.KnowledgeBase);
    case "PolygonApiKey":
      // An sst.Secret's value is in the function's link payload: no IAM grant.
      return [];
  }
}

/** The daily price refresh: EventBridge Scheduler's role may invoke only the refresh function. */
export function priceRefreshScheduleGrants(functionArn: string): Grant[] {
  return [{ actions: ["lambda:InvokeFunction"], resources: [functionArn, `${functionArn}:*`] }];
}

/** Everything a function's role may do once deployed: its own statements plus its links'. */
export function effectiveGrants(name: FunctionName, inputs: ModelInputs & { links: LinkTargets }): Grant[] {
  const spec: FunctionSpec = FUNCTIONS[name];
  return [...ownGrants(name, inputs), ...spec.links.flatMap((link) => linkGrants(link, inputs.links))];
}

// ---- State machine, job starter, embedding endpoint ------------------------------------------------------

/**
 * The analysis state machine's role: invoke only its task functions (and their versions/aliases),
 * deliver its logs, and send X-Ray traces.
 */
export function stateMachineGrants(functionArns: string[]): Grant[] {
  return [
    { actions: ["lambda:InvokeFunction"], resources: functionArns.flatMap((arn) => [arn, `${arn}:*`]) },
    {
      actions: [
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
      ],
      resources: ["*"],
    },
    {
      actions: [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
      ],
      resources: ["*"],
    },
  ];
}

/**
 * The job starter (admission control, functions/start-jobs.ts): read, delete and defer (change the
 * visibility of) messages of the one jobs queue; count the running executions of, and start, the one
 * state machine.
 */
export function jobStarterGrants<S = string>({
  queueArn,
  stateMachineArn,
}: {
  queueArn: S;
  stateMachineArn: S;
}): Grant<S>[] {
  return [
    {
      actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
      resources: [queueArn],
    },
    { actions: ["states:StartExecution", "states:ListExecutions"], resources: [stateMachineArn] },
  ];
}

export interface EmbeddingEndpointInputs {
  partition: string;
  account: string;
  region: string;
  endpointName: string;
  imageUri: string;
}

/** The SageMaker model's execution role: pull its image, write its endpoint's logs, publish metrics. */
export function embeddingEndpointGrants(inputs: EmbeddingEndpointInputs): Grant[] {
  const { partition, account, region, endpointName, imageUri } = inputs;
  const logGroup = `arn:${partition}:logs:${region}:${account}:log-group:/aws/sagemaker/Endpoints/${endpointName}`;
  return [
    {
      actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      resources: [ecrRepositoryArn(imageUri, partition)],
    },
    { actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
    {
      actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [logGroup, `${logGroup}:*`],
    },
    { actions: ["cloudwatch:PutMetricData"], resources: ["*"] },
  ];
}

/**
 * Resource-based permission on the execution-ended function: only EventBridge, only for the one
 * rule (the stack sets `sourceArn` to the rule's ARN).
 */
export const EXECUTION_ENDED_INVOKE = { action: "lambda:InvokeFunction", principal: "events.amazonaws.com" } as const;

// ---- IAM JSON -------------------------------------------------------------------------------------

/** An IAM policy document for `grants`. */
export function policyDocument(grants: Grant[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: grants.map((grant) => ({
      Effect: "Allow",
      Action: grant.actions,
      Resource: grant.resources,
      ...(grant.conditions?.length ? { Condition: conditionBlock(grant.conditions) } : {}),
    })),
  });
}

function conditionBlock(conditions: GrantCondition[]): Record<string, Record<string, string[]>> {
  const block: Record<string, Record<string, string[]>> = {};
  for (const { test, variable, values } of conditions) {
    block[test] ??= {};
    block[test][variable] = values;
  }
  return block;
}

/**
 * A role trust policy for an AWS service. With `account`, only calls on behalf of this account may
 * assume it (Step Functions and EventBridge Pipes document `aws:SourceAccount` for this).
 */
export function trustPolicy(service: string, account?: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        ...(account ? { Condition: { StringEquals: { "aws:SourceAccount": account } } } : {}),
      },
    ],
  });
}
