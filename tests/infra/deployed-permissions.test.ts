import { beforeAll, describe, expect, it } from "vitest";
import { FUNCTION_NAMES, FUNCTIONS, JOB_STARTER } from "../../lib/infra/functions.js";
import { TASK_NAMES, type TaskArns } from "../../lib/pipeline/tasks.js";
import { serializeDefinition } from "../../state-machine/definition.js";
import { allowLines, BEDROCK_REGION, differences, EXPECTED, functionArn } from "./expected-permissions.js";
import { type Recorded, resolved, runSstConfig } from "./fake-sst.js";

/**
 * The permissions as deployed: `sst.config.ts` and every stack run for real under fake SST/Pulumi
 * globals (no `sst install` needed), and each role's resolved IAM policy, trust policy, links, invoke
 * permissions and event sources are read back from the resources the stacks declared and compared
 * with the one table (expected-permissions.ts). `npm run test:mutations` proves each widening fails here.
 */
const ROLE_NAMES: Record<string, string> = {
  AnalysisStateMachineRole: "state machine",
  PriceRefreshScheduleRole: "price refresh schedule",
  EmbeddingEndpointRole: "embedding endpoint",
};

/** Every role of the deployment as the table's lines. */
function deployedRoles(registry: Recorded[]): Record<string, string[]> {
  const roles: Record<string, string[]> = {};
  const add = (role: string, ...lines: string[]) => {
    roles[role] = [...(roles[role] ?? []), ...lines];
  };
  const of = (type: string) => registry.filter((r) => r.type === type);
  const functionRole = (resourceName: string) =>
    `function ${FUNCTION_NAMES.find((n) => FUNCTIONS[n].resource === resourceName) ?? resourceName}`;

  for (const fn of of("sst:aws.Function")) {
    const role = functionRole(fn.name);
    add(role, ...allowLines(resolved(fn.args.permissions) ?? []));
    for (const link of fn.args.link ?? []) {
      const linked = registry.find((r) => r.resource === link);
      if (!linked) throw new Error(`${fn.name} links something the stacks never declared`);
      add(role, `link ${linked.type === "sst:Secret" ? "secret " : ""}${linked.name}`);
      add(role, ...allowLines(resolved(linked.args.include) ?? []));
    }
  }
  for (const permission of of("aws.lambda.Permission")) {
    const { function: fn, principal, action, sourceArn } = resolved(permission.args);
    add(functionRole(fn), `invoked by ${principal} (${action}) from ${sourceArn ?? "any source"}`);
  }
  for (const target of of("aws.cloudwatch.EventTarget")) {
    const { arn, rule: ruleName } = resolved(target.args);
    const rule = of("aws.cloudwatch.EventRule").find((r) => r.name === ruleName);
    const fn = of("sst:aws.Function").find((f) => resolved(f.resource.arn) === arn);
    const trigger = resolved(rule?.args.eventPattern ?? rule?.args.scheduleExpression);
    add(fn ? functionRole(fn.name) : arn, `triggered by rule ${ruleName} ${trigger}`);
  }
  for (const mapping of of("aws.lambda.EventSourceMapping")) {
    const { functionName, eventSourceArn } = resolved(mapping.args);
    add(functionRole(functionName), `event source ${eventSourceArn}`);
  }
  for (const iamRole of of("aws.iam.Role")) {
    const role = ROLE_NAMES[iamRole.name] ?? iamRole.name;
    const arn = resolved(iamRole.resource.arn);
    const trust = JSON.parse(resolved(iamRole.args.assumeRolePolicy)) as {
      Statement: { Principal: { Service: string }; Condition?: unknown }[];
    };
    for (const s of trust.Statement)
      add(role, `trust ${s.Principal.Service}${s.Condition ? ` if ${JSON.stringify(s.Condition)}` : ""}`);
    for (const policy of of("aws.iam.RolePolicy").filter((p) => resolved(p.args.role) === `${iamRole.name}-id`))
      add(role, ...allowLinesOfDocument(resolved(policy.args.policy)));
    for (const user of registry.filter((r) => r !== iamRole && JSON.stringify(resolved(r.args)).includes(arn)))
      add(role, `assumed by ${user.type} ${user.name}`);
  }
  for (const attached of of("aws.iam.RolePolicyAttachment")) add(resolved(attached.args.role), "managed policy");
  for (const schedule of of("aws.scheduler.Schedule"))
    add("price refresh schedule", `target ${resolved(schedule.args.target).arn}`);
  return roles;
}

function allowLinesOfDocument(document: string): string[] {
  const { Statement } = JSON.parse(document) as {
    Statement: { Action: string[]; Resource: string[]; Condition?: unknown }[];
  };
  return Statement.flatMap((s) =>
    s.Action.flatMap((a) =>
      s.Resource.map((r) => `allow ${a} ${r}${s.Condition ? ` if ${JSON.stringify(s.Condition)}` : ""}`),
    ),
  );
}

describe("the permissions as deployed (sst.config.ts and stacks/ under fake SST globals)", () => {
  let registry: Recorded[];
  beforeAll(async () => {
    registry = await runSstConfig({ ALEX_MODEL: "bedrock:openai.gpt-oss-120b-1:0", BEDROCK_REGION });
  });

  it("leaves no SST global behind for the files that share its worker", () => {
    expect(
      ["aws", "sst", "$app", "$config", "$resolve", "$interpolate", "$jsonStringify"].filter(
        (key) => key in globalThis,
      ),
    ).toEqual([]);
  });

  it("grants exactly the table: statements, trust policies, links, invokers and event sources", () => {
    expect(differences(deployedRoles(registry))).toEqual([]);
  });

  it("declares every function of lib/infra/functions.ts and every role in the table", () => {
    expect(registry.filter((r) => r.type === "sst:aws.Function").map((r) => r.name)).toEqual([
      ...FUNCTION_NAMES.map((n) => FUNCTIONS[n].resource),
      JOB_STARTER.resource,
    ]);
    expect(Object.keys(deployedRoles(registry)).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it("deploys exactly serializeDefinition(arns) with the task functions' ARNs (what the local tests execute)", () => {
    const machine = registry.find((r) => r.type === "aws.sfn.StateMachine");
    const arns = Object.fromEntries(TASK_NAMES.map((task) => [task, functionArn(task)])) as TaskArns;
    expect(resolved(machine?.args.definition)).toBe(serializeDefinition(arns));
  });

  it("links the market-data key (an sst.Secret) to the price refresh alone, and the master secret to migrate alone", () => {
    const linked = (line: string) =>
      Object.entries(deployedRoles(registry))
        .filter(([, lines]) => lines.some((l) => l.includes(line)))
        .map(([role]) => role);
    expect(linked("link secret PolygonApiKey")).toEqual(["function refreshPrices"]);
    expect(linked("DatabaseClusterMasterSecret")).toEqual(["function migrate"]);
  });
});
