import { physicalName } from "../lib/infra/names.js";
import { policyDocument, stateMachineGrants, trustPolicy } from "../lib/infra/permissions.js";
import type { TaskName } from "../lib/pipeline/tasks.js";
import { serializeDefinition } from "../state-machine/definition.js";

export interface AnalysisStateMachineArgs {
  /** The task functions' ARNs. */
  arns: Record<TaskName, $util.Input<string>>;
  account: $util.Input<string>;
}

/**
 * The analysis workflow (STANDARD). Its definition is `serializeDefinition(arns)` — the very text
 * the local tests execute — with its own role (invoke only its task functions), a log group
 * (errors, without execution data) and X-Ray tracing.
 */
export function analysisStateMachine({ arns, account }: AnalysisStateMachineArgs) {
  const name = physicalName([$app.name, $app.stage, "analysis"], 80);
  const resolvedArns = $resolve(arns);

  const logGroup = new aws.cloudwatch.LogGroup("AnalysisStateMachineLogs", {
    name: `/aws/vendedlogs/states/${name}`,
    retentionInDays: 30,
  });
  const role = new aws.iam.Role("AnalysisStateMachineRole", {
    assumeRolePolicy: $resolve([account]).apply(([id]) => trustPolicy("states.amazonaws.com", id)),
  });
  const policy = new aws.iam.RolePolicy("AnalysisStateMachinePolicy", {
    role: role.id,
    policy: resolvedArns.apply((values) => policyDocument(stateMachineGrants(Object.values(values)))),
  });
  const machine = new aws.sfn.StateMachine(
    "AnalysisStateMachine",
    {
      name,
      type: "STANDARD",
      roleArn: role.arn,
      definition: resolvedArns.apply(serializeDefinition),
      loggingConfiguration: {
        logDestination: $interpolate`${logGroup.arn}:*`,
        level: "ERROR",
        includeExecutionData: false,
      },
      tracingConfiguration: { enabled: true },
    },
    { dependsOn: [policy] },
  );
  return { machine, role, logGroup };
}
