import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ModelChoice } from "../../lib/config.js";
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from "../../lib/infra/functions.js";
import {
  effectiveGrants,
  embeddingEndpointGrants,
  type Grant,
  jobStarterGrants,
  policyDocument,
  priceRefreshScheduleGrants,
  RESOURCE_WILDCARD_ACTIONS,
  stateMachineGrants,
  trustPolicy,
} from "../../lib/infra/permissions.js";
import { TASK_NAMES, TASKS } from "../../lib/pipeline/tasks.js";
import {
  allowLines,
  BEDROCK_REGION,
  DLQ_ARN,
  differences,
  ENDPOINT,
  functionArn,
  IMAGE,
  LINKS,
  MACHINE_ARN,
  QUEUE_ARN,
  TASK_ARNS,
} from "./expected-permissions.js";
import { ACCOUNT, REGION } from "./fake-sst.js";

const DEFAULT_MODEL: ModelChoice = { provider: "bedrock", modelId: "openai.gpt-oss-120b-1:0" };
/** The five functions that call the model, named here on purpose rather than derived. */
const AGENTS: FunctionName[] = ["tagger", "planner", "reporter", "charter", "retirement"];
const BOOKKEEPING: FunctionName[] = ["prepareJob", "finalizeJob", "markJobFailed", "executionEnded", "sweepJobs"];

const grantsOf = (name: FunctionName, model: ModelChoice = DEFAULT_MODEL) =>
  effectiveGrants(name, {
    partition: "aws",
    account: ACCOUNT,
    model,
    bedrockRegion: BEDROCK_REGION,
    links: LINKS,
    deadLetterQueueArn: DLQ_ARN,
  });

const PROFILE_MODEL: ModelChoice = { provider: "bedrock", modelId: "us.anthropic.claude-sonnet-4-20250514-v1:0" };
const PROFILE_ARN = `arn:aws:bedrock:us-west-2:${ACCOUNT}:inference-profile/${PROFILE_MODEL.modelId}`;

const allRoles = (model: ModelChoice = DEFAULT_MODEL): Record<string, Grant[]> => ({
  ...Object.fromEntries(FUNCTION_NAMES.map((name) => [`function ${name}`, grantsOf(name, model)])),
  "state machine": stateMachineGrants(TASK_ARNS),
  "function JobStarter": jobStarterGrants({ queueArn: QUEUE_ARN, stateMachineArn: MACHINE_ARN }),
  "embedding endpoint": embeddingEndpointGrants({
    partition: "aws",
    account: ACCOUNT,
    region: REGION,
    endpointName: ENDPOINT,
    imageUri: IMAGE,
  }),
  "price refresh schedule": priceRefreshScheduleGrants(functionArn("refreshPrices")),
});

const service = (action: string) => action.split(":")[0];
const actionsOf = (grants: Grant[]) => grants.flatMap((g) => g.actions);
const resourcesFor = (grants: Grant[], prefix: string) =>
  grants.filter((g) => g.actions.some((a) => a.startsWith(prefix))).flatMap((g) => g.resources);

/** A policy as the table's lines (`allow action resource [if condition]`). */
const rolesAsLines = (roles: Record<string, Grant[]>) =>
  Object.fromEntries(Object.entries(roles).map(([role, grants]) => [role, allowLines(grants)]));
/** Each role's statements beyond the table (`+`) and missing from it (`-`): the table's `allow` lines only. */
const statementDifferences = (roles: Record<string, Grant[]>) =>
  differences(rolesAsLines(roles), (line) => line.startsWith("allow "));
const DB = [
  `allow rds-data:ExecuteStatement ${LINKS.Database.clusterArn}`,
  `allow secretsmanager:GetSecretValue ${LINKS.Database.secretArn}`,
];

const add = (role: string, grant: Grant) => (roles: Record<string, Grant[]>) => ({
  ...roles,
  [role]: [...roles[role], grant],
});
const ADMIN_ROLE = `arn:aws:iam::${ACCOUNT}:role/Admin`;

/** The six widenings a fault review made to permissions.ts that the previous tests let through. */
const WIDENINGS: [string, (roles: Record<string, Grant[]>) => Record<string, Grant[]>, string][] = [
  [
    "iam:PassRole on an admin role for the tagger",
    add("function tagger", { actions: ["iam:PassRole"], resources: [ADMIN_ROLE] }),
    `function tagger: + allow iam:PassRole ${ADMIN_ROLE}`,
  ],
  [
    "s3:GetObject for the reporter",
    add("function reporter", { actions: ["s3:GetObject"], resources: ["arn:aws:s3:::any-bucket/*"] }),
    "function reporter: + allow s3:GetObject arn:aws:s3:::any-bucket/*",
  ],
  [
    "lambda:InvokeFunction on migrate",
    add("function migrate", { actions: ["lambda:InvokeFunction"], resources: [functionArn("tagger")] }),
    `function migrate: + allow lambda:InvokeFunction ${functionArn("tagger")}`,
  ],
  [
    "dynamodb:Scan for the planner",
    add("function planner", {
      actions: ["dynamodb:Scan"],
      resources: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/users`],
    }),
    `function planner: + allow dynamodb:Scan arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/users`,
  ],
  [
    "rds-data:ExecuteSql on the cluster",
    (roles) => ({
      ...roles,
      "function charter": roles["function charter"].map((g) =>
        g.actions.includes("rds-data:ExecuteStatement") ? { ...g, actions: [...g.actions, "rds-data:ExecuteSql"] } : g,
      ),
    }),
    `function charter: + allow rds-data:ExecuteSql ${LINKS.Database.clusterArn}`,
  ],
  [
    "a * resource for an action added to the wildcard allowlist",
    add("state machine", { actions: ["ec2:DescribeInstances"], resources: ["*"] }),
    "state machine: + allow ec2:DescribeInstances *",
  ],
];

describe("every role's complete policy is the explicit table", () => {
  it("grants exactly the table's statements, line for line", () => {
    expect(statementDifferences(allRoles())).toEqual([]);
  });

  it.each(WIDENINGS)("fails for a widening: %s", (_name, widen, expected) => {
    expect(statementDifferences(widen(allRoles()))).toEqual([expected]);
  });

  it("fails when the price refresh is given the app role (and so the users' tables)", () => {
    expect(
      statementDifferences({
        ...allRoles(),
        "function refreshPrices": [...grantsOf("refreshPrices"), ...grantsOf("prepareJob")],
      }),
    ).toEqual([`function refreshPrices: + allow secretsmanager:GetSecretValue ${LINKS.Database.secretArn}`]);
  });

  it("fails when a grant is lost too, and when a new role appears", () => {
    expect(statementDifferences({ ...allRoles(), "function prepareJob": [] })).toEqual(
      DB.map((p) => `function prepareJob: - ${p}`),
    );
    expect(
      statementDifferences({ ...allRoles(), "new role": [{ actions: ["sqs:SendMessage"], resources: [QUEUE_ARN] }] }),
    ).toEqual([`new role: + allow sqs:SendMessage ${QUEUE_ARN}`]);
  });

  it("grants no Data API batch statements and transactions to migrate only", () => {
    const all = Object.values(allRoles()).flatMap(actionsOf);
    expect(all).not.toContain("rds-data:BatchExecuteStatement");
    const withTransactions = FUNCTION_NAMES.filter((n) => actionsOf(grantsOf(n)).includes("rds-data:BeginTransaction"));
    expect(withTransactions).toEqual(["migrate"]);
  });
});

describe("the declared permissions are least privilege", () => {
  it("has no wildcard actions anywhere", () => {
    for (const [role, grants] of Object.entries(allRoles())) {
      for (const action of actionsOf(grants)) {
        expect(action, `${role}: ${action}`).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    }
  });

  it('uses the resource "*" only for actions AWS defines no resource for', () => {
    for (const [role, grants] of Object.entries(allRoles())) {
      for (const grant of grants.filter((g) => g.resources.includes("*"))) {
        expect(grant.resources, role).toEqual(["*"]);
        for (const action of grant.actions)
          expect(Object.keys(RESOURCE_WILDCARD_ACTIONS), `${role}: ${action}`).toContain(action);
      }
    }
    const wildcardRoles = Object.entries(allRoles())
      .filter(([, grants]) => grants.some((g) => g.resources.includes("*")))
      .map(([role]) => role);
    expect(wildcardRoles.sort()).toEqual(["embedding endpoint", "state machine"]);
  });

  it("allows wildcards inside an ARN only for Lambda qualifiers (state machine, schedule), the endpoint's log streams and profile-routed models", () => {
    for (const model of [DEFAULT_MODEL, PROFILE_MODEL]) {
      for (const [role, grants] of Object.entries(allRoles(model))) {
        for (const grant of grants) {
          for (const resource of grant.resources.filter((r) => r !== "*" && r.includes("*"))) {
            const qualifier =
              (role === "state machine" && resource.endsWith(":*") && TASK_ARNS.includes(resource.slice(0, -2))) ||
              (role === "price refresh schedule" && resource === `${functionArn("refreshPrices")}:*`);
            const logStreams =
              role === "embedding endpoint" && resource.endsWith(`:log-group:/aws/sagemaker/Endpoints/${ENDPOINT}:*`);
            const throughProfile =
              resource === "arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0" &&
              JSON.stringify(grant.conditions) ===
                JSON.stringify([
                  { test: "StringEquals", variable: "bedrock:InferenceProfileArn", values: [PROFILE_ARN] },
                ]);
            expect(qualifier || logStreams || throughProfile, `${role}: ${resource}`).toBe(true);
          }
        }
      }
    }
  });

  it("gives Bedrock to exactly the five agents, which are the tasks marked as agents", () => {
    const withBedrock = FUNCTION_NAMES.filter((name) =>
      actionsOf(grantsOf(name)).some((a) => service(a) === "bedrock"),
    );
    expect(withBedrock.sort()).toEqual([...AGENTS].sort());
    expect(TASK_NAMES.filter((task) => TASKS[task].agent).sort()).toEqual([...AGENTS].sort());
    for (const name of BOOKKEEPING)
      expect(
        actionsOf(grantsOf(name)).filter((a) => service(a) === "bedrock"),
        name,
      ).toEqual([]);
    for (const role of ["state machine", "function JobStarter", "embedding endpoint"]) {
      expect(
        actionsOf(allRoles()[role]).some((a) => service(a) === "bedrock"),
        role,
      ).toBe(false);
    }
  });

  it("pins Bedrock to the configured model in BEDROCK_REGION, InvokeModel only", () => {
    for (const agent of AGENTS) {
      const bedrock = grantsOf(agent).filter((g) => g.actions.some((a) => service(a) === "bedrock"));
      expect(bedrock, agent).toEqual([
        {
          actions: ["bedrock:InvokeModel"],
          resources: ["arn:aws:bedrock:us-west-2::foundation-model/openai.gpt-oss-120b-1:0"],
        },
      ]);
    }
  });

  it("pins a cross-Region inference profile to BEDROCK_REGION and reaches its model only through that profile", () => {
    const profile = PROFILE_ARN;
    const bedrock = grantsOf("planner", PROFILE_MODEL).filter((g) => g.actions.includes("bedrock:InvokeModel"));
    expect(bedrock).toEqual([
      { actions: ["bedrock:InvokeModel"], resources: [profile] },
      {
        actions: ["bedrock:InvokeModel"],
        resources: ["arn:aws:bedrock:*::foundation-model/anthropic.claude-sonnet-4-20250514-v1:0"],
        conditions: [{ test: "StringEquals", variable: "bedrock:InferenceProfileArn", values: [profile] }],
      },
    ]);
  });

  it("gives no Bedrock access at all when the deployment runs the offline model", () => {
    for (const name of FUNCTION_NAMES) {
      expect(
        actionsOf(grantsOf(name, { provider: "offline" })).some((a) => service(a) === "bedrock"),
        name,
      ).toBe(false);
    }
  });

  it("gives SageMaker and S3 Vectors to the reporter only, on the one endpoint and index", () => {
    for (const name of FUNCTION_NAMES) {
      const knowledge = actionsOf(grantsOf(name)).filter((a) => ["sagemaker", "s3vectors"].includes(service(a)));
      if (name !== "reporter") expect(knowledge, name).toEqual([]);
    }
    const reporter = grantsOf("reporter");
    expect(resourcesFor(reporter, "sagemaker:")).toEqual([LINKS.KnowledgeBase.endpointArn]);
    expect(actionsOf(reporter).filter((a) => service(a) === "sagemaker")).toEqual(["sagemaker:InvokeEndpoint"]);
    expect(resourcesFor(reporter, "s3vectors:")).toEqual([LINKS.KnowledgeBase.indexArn]);
    // QueryVectors with a metadata filter and returnMetadata also needs GetVectors.
    expect(
      actionsOf(reporter)
        .filter((a) => service(a) === "s3vectors")
        .sort(),
    ).toEqual(["s3vectors:GetVectors", "s3vectors:QueryVectors"]);
  });

  it("gives every function but migrate single Data API statements as its role, and migrate alone the master secret", () => {
    for (const name of FUNCTION_NAMES.filter((n) => n !== "migrate")) {
      const grants = grantsOf(name);
      expect(
        actionsOf(grants).filter((a) => service(a) === "rds-data"),
        name,
      ).toEqual(["rds-data:ExecuteStatement"]);
      const roleSecret = name === "refreshPrices" ? LINKS.DatabasePrices.secretArn : LINKS.Database.secretArn;
      expect(resourcesFor(grants, "secretsmanager:"), name).toEqual([roleSecret]);
    }
    expect(resourcesFor(grantsOf("migrate"), "secretsmanager:")).toEqual([
      LINKS.DatabaseAdmin.secretArn,
      LINKS.DatabaseAdmin.appSecretArn,
      LINKS.DatabaseAdmin.pricesSecretArn,
    ]);
    for (const name of BOOKKEEPING) {
      expect(new Set(actionsOf(grantsOf(name)).map(service)), name).toEqual(new Set(["rds-data", "secretsmanager"]));
    }
  });

  it("lets the state machine invoke only its nine task functions", () => {
    const grants = stateMachineGrants(TASK_ARNS);
    const invoke = grants.filter((g) => g.actions.includes("lambda:InvokeFunction"));
    expect(invoke).toHaveLength(1);
    expect(invoke[0].actions).toEqual(["lambda:InvokeFunction"]);
    expect(invoke[0].resources).toEqual(TASK_ARNS.flatMap((arn) => [arn, `${arn}:*`]));
    expect(TASK_ARNS).toHaveLength(9);
    expect(invoke[0].resources.some((r) => r.includes("migrate") || r.includes("executionEnded"))).toBe(false);
    expect(new Set(actionsOf(grants).map(service))).toEqual(new Set(["lambda", "logs", "xray"]));
  });

  it("limits the job starter to its queue and to counting and starting executions of its state machine", () => {
    expect(jobStarterGrants({ queueArn: QUEUE_ARN, stateMachineArn: MACHINE_ARN })).toEqual([
      {
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
        resources: [QUEUE_ARN],
      },
      { actions: ["states:StartExecution", "states:ListExecutions"], resources: [MACHINE_ARN] },
    ]);
  });

  it("lets the embedding endpoint pull only its image repository and write only its own logs", () => {
    const grants = embeddingEndpointGrants({
      partition: "aws",
      account: ACCOUNT,
      region: REGION,
      endpointName: ENDPOINT,
      imageUri: IMAGE,
    });
    expect(resourcesFor(grants, "ecr:BatchGetImage")).toEqual([
      `arn:aws:ecr:${REGION}:763104351884:repository/huggingface-pytorch-inference`,
    ]);
    expect(resourcesFor(grants, "logs:")).toEqual([
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${ENDPOINT}`,
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${ENDPOINT}:*`,
    ]);
  });
});

describe("the function table", () => {
  it("takes each task's memory and timeout from lib/pipeline/tasks.ts", () => {
    for (const task of TASK_NAMES) {
      expect(FUNCTIONS[task].handler).toBe(TASKS[task].handler);
      expect(FUNCTIONS[task].memoryMB).toBe(TASKS[task].memoryMB);
      expect(FUNCTIONS[task].timeoutSeconds).toBe(TASKS[task].timeoutSeconds);
      expect(FUNCTIONS[task].live).toBe(true);
    }
    expect(FUNCTIONS.migrate.live).toBe(false);
    expect(FUNCTIONS.executionEnded.live).toBe(false);
  });

  it("links each function to exactly one database role; the prices role to the price refresh alone", () => {
    const databaseLinks = (name: FunctionName) =>
      FUNCTIONS[name].links.filter((link: string) => link.startsWith("Database"));
    for (const name of FUNCTION_NAMES) expect(databaseLinks(name), name).toHaveLength(1);
    expect(FUNCTION_NAMES.filter((name) => databaseLinks(name)[0] === "DatabasePrices")).toEqual(["refreshPrices"]);
    expect(FUNCTION_NAMES.filter((name) => databaseLinks(name)[0] === "DatabaseAdmin")).toEqual(["migrate"]);
    expect(FUNCTIONS.refreshPrices.links).toEqual(["DatabasePrices", "PolygonApiKey"]);
  });
});

describe("IAM documents", () => {
  it("renders grants as a policy document, conditions included", () => {
    const document = JSON.parse(
      policyDocument([
        { actions: ["a:B"], resources: ["arn:1"] },
        {
          actions: ["c:D"],
          resources: ["arn:2"],
          conditions: [{ test: "StringEquals", variable: "k", values: ["v"] }],
        },
      ]),
    );
    expect(document).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["a:B"], Resource: ["arn:1"] },
        { Effect: "Allow", Action: ["c:D"], Resource: ["arn:2"], Condition: { StringEquals: { k: ["v"] } } },
      ],
    });
  });

  it("limits service trust to this account when the account is given", () => {
    expect(JSON.parse(trustPolicy("states.amazonaws.com", ACCOUNT)).Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "states.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
    });
  });
});

describe("the stacks take their permissions from the table", () => {
  it("declares no IAM action in sst.config.ts or stacks/", () => {
    const files = ["sst.config.ts", ...readdirSync("stacks").map((f) => `stacks/${f}`)];
    for (const file of files) {
      const actions = readFileSync(file, "utf8").match(/["'`][a-z0-9-]+:[A-Z*][A-Za-z*]*["'`]/g) ?? [];
      expect(actions, file).toEqual([]);
    }
  });
});
