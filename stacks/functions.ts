import { assertReservationsFit } from "../lib/infra/account-limits.js";
import {
  FUNCTION_NAMES,
  FUNCTIONS,
  type FunctionName,
  type FunctionSpec,
  functionEnvironment,
  type LinkName,
} from "../lib/infra/functions.js";
import { ownGrants } from "../lib/infra/permissions.js";
import type { DeploySettings } from "../lib/infra/settings.js";
import { reservedConcurrencyFromEnv } from "../lib/scale/limits.js";
import type { AwsContext } from "./context.js";
import { MIGRATIONS_SOURCE } from "./database.js";

export type Functions = Record<FunctionName, sst.aws.Function>;

/**
 * One Lambda per handler (Node 22, arm64), each with the memory, timeout, links and Bedrock access
 * declared in `lib/infra/functions.ts` — and nothing else.
 */
export function functions(args: {
  settings: DeploySettings;
  ctx: AwsContext;
  links: Record<LinkName, unknown>;
  deadLetterQueueArn: $util.Input<string>;
  /** Reserved concurrency per function: none by default (`reservedConcurrency()`). */
  reserved?: Partial<Record<FunctionName, number>>;
}): Functions {
  const { settings, ctx, links } = args;
  const reserved = args.reserved ?? {};
  const create = (name: FunctionName) => {
    const spec: FunctionSpec = FUNCTIONS[name];
    return new sst.aws.Function(spec.resource, {
      handler: spec.handler,
      runtime: "nodejs22.x",
      architecture: "arm64",
      memory: `${spec.memoryMB} MB`,
      timeout: `${spec.timeoutSeconds} seconds`,
      environment: ctx.region.apply((region) =>
        functionEnvironment(name, { alexModel: settings.alexModel, bedrockRegion: settings.bedrockRegion, region }),
      ),
      link: spec.links.map((link) => links[link]),
      permissions: $resolve({ account: ctx.account, partition: ctx.partition, dlq: args.deadLetterQueueArn }).apply(
        ({ account, partition, dlq }) =>
          ownGrants(name, {
            account,
            partition,
            model: settings.model,
            bedrockRegion: settings.bedrockRegion,
            deadLetterQueueArn: dlq,
          }),
      ),
      // Code splitting: a dynamic import() (model provider, OTLP, knowledge base) loads on first use, not at
      // init. The plugins keep code the functions never run out of the bundle (scripts/bundle-sizes.ts).
      nodejs: { format: "esm", minify: true, splitting: true, plugins: "./stacks/bundle-plugins.mjs" },
      ...(name in reserved ? { concurrency: { reserved: reserved[name as keyof typeof reserved] } } : {}),
      ...(name === "migrate" ? { copyFiles: [{ from: MIGRATIONS_SOURCE, to: "migrations" }] } : {}),
      ...(spec.live ? {} : { dev: false as const }),
    });
  };
  return Object.fromEntries(FUNCTION_NAMES.map((name) => [name, create(name)])) as Functions;
}

/**
 * The reservations the deploy environment asks for (`ALEX_RESERVED_CONCURRENCY`, none by default),
 * checked against the account's Lambda limit before anything is deployed: a clear error instead of a
 * PutFunctionConcurrency refused halfway through. `appPrefix` names this app and stage's functions
 * (`${$app.name}-${$app.stage}-`), whose current reservations a redeploy replaces.
 */
export async function reservedConcurrency(env: Record<string, string | undefined>, region: string, appPrefix?: string) {
  const reserved = reservedConcurrencyFromEnv(env);
  if (Object.keys(reserved).length === 0) return reserved;
  const { LambdaClient } = await import("@aws-sdk/client-lambda");
  await assertReservationsFit(reserved, new LambdaClient({ region }), appPrefix);
  return reserved;
}
