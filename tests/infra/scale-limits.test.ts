import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config.js";
import { embeddingServerlessConfig } from "../../lib/infra/embedding-image.js";
import { TASK_NAMES, TASKS } from "../../lib/pipeline/tasks.js";
import {
  CAPACITY_RETRY,
  MAP_MAX_CONCURRENCY,
  MAX_JOB_SECONDS,
  perJob,
  QUOTA_HEADROOM,
  scaleLimits,
  TAGGER_RESUME_RETRY,
} from "../../lib/scale/limits.js";
import { SPECIALIST_STATE, STATE } from "../../state-machine/definition.js";

/**
 * Pins the deployed backpressure to docs/scale.md: the functions stack and the state machine stack run
 * under Pulumi's mocks (SST's Function replaced by a recorder of its arguments), and what they would
 * deploy must equal both `lib/scale/limits.ts` and the table between the `limits` markers of the doc.
 */
const PLATFORM = resolve(".sst/platform/package.json");
const installed = existsSync(resolve(".sst/platform/node_modules/@pulumi/aws/package.json"));
const ACCOUNT = "123456789012";

/** `| setting | value |` rows between `<!-- limits:start -->` and `<!-- limits:end -->`. */
function documentedLimits(): Record<string, string> {
  const doc = readFileSync(resolve("docs/scale.md"), "utf8");
  const block = /<!-- limits:start -->([\s\S]*?)<!-- limits:end -->/.exec(doc)?.[1] ?? "";
  const rows = block
    .split("\n")
    .filter((line) => /^\|[^-]/.test(line))
    .slice(1);
  return Object.fromEntries(
    rows.map(
      (line) =>
        line
          .split("|")
          .slice(1, 3)
          .map((cell) => cell.trim().replaceAll("`", "")) as [string, string],
    ),
  );
}

const QUOTA_ENV = { ALEX_RESERVED_CONCURRENCY: "quota" };
const ACCOUNT_SETTINGS = (limit: number, unreserved: number) => ({
  AccountLimit: { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: unreserved },
});

describe.skipIf(!installed)("the deployed limits (Pulumi mocks, needs `sst install`)", () => {
  let functionArgs = new Map<string, Record<string, any>>();
  let definition: Record<string, any>;
  let functionsStack: any;
  let deployFunctions: (reserved?: Record<string, number>) => Map<string, Record<string, any>>;
  const lambda = mockClient(LambdaClient);
  afterAll(() => lambda.restore());
  const documented = documentedLimits();
  const limits = scaleLimits();

  beforeAll(async () => {
    const require = createRequire(PLATFORM);
    const pulumi = require("@pulumi/pulumi");
    const machines: Record<string, any>[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (args: { type: string; name: string; inputs: Record<string, any> }) => {
          if (args.type === "aws:sfn/stateMachine:StateMachine") machines.push(args.inputs);
          return {
            id: `${args.name}-id`,
            state: { ...args.inputs, arn: `arn:aws:mock:eu-west-1:${ACCOUNT}:${args.name}`, name: args.name },
          };
        },
        call: (args: { inputs: Record<string, unknown> }) => args.inputs,
      },
      "alex-orchestra",
      "test",
      false,
    );
    class RecordedFunction {
      arn: string;
      constructor(name: string, args: Record<string, any>) {
        functionArgs.set(name, args);
        this.arn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${name}`;
      }
    }
    Object.assign(globalThis, {
      aws: require("@pulumi/aws"),
      sst: { aws: { Function: RecordedFunction } },
      $app: { name: "alex-orchestra", stage: "test", removal: "remove" },
      $resolve: pulumi.all,
      $interpolate: pulumi.interpolate,
    });
    functionsStack = await import(pathToFileURL(resolve("stacks/functions.ts")).href);
    const stateMachineStack = await import(pathToFileURL(resolve("stacks/state-machine.ts")).href);
    const ctx = {
      account: pulumi.output(ACCOUNT),
      region: pulumi.output("eu-west-1"),
      partition: pulumi.output("aws"),
    };
    const settings = {
      alexModel: "bedrock:openai.gpt-oss-120b-1:0",
      model: { provider: "bedrock", modelId: "openai.gpt-oss-120b-1:0" },
      bedrockRegion: "us-west-2",
    };
    deployFunctions = (reserved) => {
      functionArgs = new Map();
      functionsStack.functions({
        settings,
        ctx,
        links: { Database: {}, DatabasePrices: {}, KnowledgeBase: {} },
        reserved,
      });
      return functionArgs;
    };
    deployFunctions();
    const arns = Object.fromEntries(TASK_NAMES.map((t) => [t, `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:${t}`]));
    const { machine } = stateMachineStack.analysisStateMachine({ arns, account: ACCOUNT });
    await new Promise((done) => machine.arn.apply(done));
    definition = JSON.parse(machines[0].definition);
  });

  it("reserves no concurrency by default, on any function", () => {
    expect(functionArgs.size).toBeGreaterThan(10);
    for (const [resource, args] of functionArgs) expect(args.concurrency, resource).toBeUndefined();
  });

  it.each(["tagger", "planner", "reporter", "charter", "retirement"] as const)(
    "with ALEX_RESERVED_CONCURRENCY=quota, gives the %s function the reservation of lib/scale/limits.ts and docs/scale.md",
    async (agent) => {
      lambda.on(GetAccountSettingsCommand).resolves(ACCOUNT_SETTINGS(1000, 1000));
      const reserved = await functionsStack.reservedConcurrency(QUOTA_ENV, "eu-west-1");
      expect(reserved[agent]).toBe(limits.reservedConcurrency[agent]);
      const args = deployFunctions(reserved);
      const resource = {
        tagger: "Tagger",
        planner: "Planner",
        reporter: "Reporter",
        charter: "Charter",
        retirement: "Retirement",
      }[agent];
      expect(args.get(resource)?.concurrency).toEqual({ reserved: limits.reservedConcurrency[agent] });
      expect(args.get("PrepareJob")?.concurrency).toBeUndefined();
      expect(documented[`reserved concurrency: ${agent}`]).toBe(`off (quota: ${limits.reservedConcurrency[agent]})`);
    },
  );

  it("refuses, before deploying, reservations that would leave fewer than 100 unreserved, naming the limit", async () => {
    const total = Object.values(limits.reservedConcurrency).reduce((a, b) => a + b, 0);
    // A new account: 10 concurrent executions. Then one where other functions leave just short of enough.
    lambda.on(GetAccountSettingsCommand).resolves(ACCOUNT_SETTINGS(10, 10));
    await expect(functionsStack.reservedConcurrency(QUOTA_ENV, "eu-west-1")).rejects.toThrow(
      new RegExp(`reserve ${total} .*Lambda limit of 10 concurrent executions.*requires 100 to stay unreserved`),
    );
    lambda.on(GetAccountSettingsCommand).resolves(ACCOUNT_SETTINGS(1000, 99 + total));
    await expect(functionsStack.reservedConcurrency(QUOTA_ENV, "eu-west-1")).rejects.toThrow(
      /leaving 99 of this account's Lambda limit of 1000 .*other functions already reserve/,
    );
    lambda.on(GetAccountSettingsCommand).resolves(ACCOUNT_SETTINGS(1000, 100 + total));
    await expect(functionsStack.reservedConcurrency(QUOTA_ENV, "eu-west-1")).resolves.toEqual(
      limits.reservedConcurrency,
    );
  });

  it("on a redeploy, counts this app's current reservations as replaced, not added to", async () => {
    const total = Object.values(limits.reservedConcurrency).reduce((a, b) => a + b, 0);
    // The previous deploy reserved the same `total`: Lambda reports 100 + total − total = 100 unreserved of
    // 100 + total. PutFunctionConcurrency replaces each function's reservation, so this redeploy fits.
    lambda.on(GetAccountSettingsCommand).resolves(ACCOUNT_SETTINGS(100 + total, 100));
    const ours = Object.entries(limits.reservedConcurrency).map(([agent, n]) => ({
      name: `alex-orchestra-prod-${agent}Function-abcdefgh`,
      n,
    }));
    lambda.on(ListFunctionsCommand).resolves({
      Functions: [...ours.slice(0, 2), { name: "alex-orchestra-prod2-TaggerFunction-xyz", n: 50 }].map((f) => ({
        FunctionName: f.name,
      })),
      NextMarker: "more",
    });
    lambda.on(ListFunctionsCommand, { Marker: "more" }).resolves({
      Functions: ours.slice(2).map((f) => ({ FunctionName: f.name })),
    });
    for (const f of ours)
      lambda
        .on(GetFunctionConcurrencyCommand, { FunctionName: f.name })
        .resolves({ ReservedConcurrentExecutions: f.n });
    lambda
      .on(GetFunctionConcurrencyCommand, { FunctionName: "alex-orchestra-prod2-TaggerFunction-xyz" })
      .resolves({ ReservedConcurrentExecutions: 50 });
    await expect(functionsStack.reservedConcurrency(QUOTA_ENV, "eu-west-1", "alex-orchestra-prod-")).resolves.toEqual(
      limits.reservedConcurrency,
    );
    // Another stage's reservation is not ours to replace: with it, the same account is short.
    lambda.on(GetAccountSettingsCommand).resolves(ACCOUNT_SETTINGS(100 + total + 50, 100));
    await expect(functionsStack.reservedConcurrency(QUOTA_ENV, "eu-west-1", "alex-orchestra-prod-")).resolves.toEqual(
      limits.reservedConcurrency,
    );
    lambda.on(GetAccountSettingsCommand).resolves(ACCOUNT_SETTINGS(100 + total + 49, 99));
    await expect(functionsStack.reservedConcurrency(QUOTA_ENV, "eu-west-1", "alex-orchestra-prod-")).rejects.toThrow(
      /leaving 99 of .*other functions already reserve 50/,
    );
  });

  it("asks the account nothing when nothing is reserved", async () => {
    lambda.reset();
    await expect(functionsStack.reservedConcurrency({}, "eu-west-1")).resolves.toEqual({});
    await expect(
      functionsStack.reservedConcurrency({ ALEX_RESERVED_CONCURRENCY: "off" }, "eu-west-1"),
    ).resolves.toEqual({});
    expect(lambda.calls()).toHaveLength(0);
    await expect(functionsStack.reservedConcurrency({ ALEX_RESERVED_CONCURRENCY: "15" }, "eu-west-1")).rejects.toThrow(
      /ALEX_RESERVED_CONCURRENCY: expected "off" or "quota", got "15"/,
    );
  });

  it("deploys the Map's MaxConcurrency, the capacity Retry and the job timeout of the config and the doc", () => {
    const map = definition.States[STATE.runSpecialists];
    expect(map.MaxConcurrency).toBe(MAP_MAX_CONCURRENCY);
    expect(documented["running jobs (admission)"]).toBe(String(limits.maxRunningJobs));
    expect(documented["Map MaxConcurrency"]).toBe(String(map.MaxConcurrency));
    expect(definition.TimeoutSeconds).toBe(MAX_JOB_SECONDS);
    expect(documented["job timeout (TimeoutSeconds)"]).toBe(`${definition.TimeoutSeconds} s`);
    const retry = map.ItemProcessor.States[SPECIALIST_STATE.reporter].Retry[0];
    expect(retry).toEqual({
      ErrorEquals: [...CAPACITY_RETRY.errors],
      IntervalSeconds: CAPACITY_RETRY.intervalSeconds,
      MaxAttempts: CAPACITY_RETRY.maxAttempts,
      BackoffRate: CAPACITY_RETRY.backoffRate,
      MaxDelaySeconds: CAPACITY_RETRY.maxDelaySeconds,
      JitterStrategy: "NONE",
    });
    expect(documented["capacity Retry"]).toBe(
      `${retry.ErrorEquals.join(", ")}: ${retry.IntervalSeconds} s × ${retry.BackoffRate}, max ${retry.MaxDelaySeconds} s, no jitter, ${retry.MaxAttempts} attempts`,
    );
  });
});

describe("the tagger's resume retry", () => {
  it("fits every attempt at its full Lambda timeout in the job's timeout, with time left for the rest", () => {
    const attempts = TAGGER_RESUME_RETRY.maxAttempts + 1;
    const rest = TASKS.planner.timeoutSeconds + TASKS.reporter.timeoutSeconds + TASKS.finalizeJob.timeoutSeconds;
    expect(attempts * TASKS.tagger.timeoutSeconds + rest).toBeLessThanOrEqual(MAX_JOB_SECONDS);
    const budget = loadConfig({}).taggerBudgetSeconds;
    expect(budget).toBeLessThan(TASKS.tagger.timeoutSeconds);
    expect(loadConfig({ ALEX_TAGGER_BUDGET_SECONDS: "" }).taggerBudgetSeconds).toBe(budget);
  });
});

describe("the embedding endpoint's size", () => {
  it("has one concurrent call per job admission control runs, within SageMaker's 1–200", () => {
    const limits = scaleLimits();
    expect(embeddingServerlessConfig(limits.maxRunningJobs)).toEqual({
      memorySizeInMb: 3072,
      maxConcurrency: limits.maxRunningJobs,
    });
    // 10,000 jobs an hour: the quota that sustains it, and the endpoint grows with it (2 throttled ~29% there).
    const perJobTokens = perJob().tokens;
    const tokensPerMinute = Math.ceil(((10_000 / 60) * perJobTokens) / QUOTA_HEADROOM);
    const tenThousand = scaleLimits({ tokensPerMinute, requestsPerMinute: 1_000_000 });
    expect(tenThousand.jobsPerMinute * 60).toBeGreaterThanOrEqual(10_000);
    expect(embeddingServerlessConfig(tenThousand.maxRunningJobs).maxConcurrency).toBe(tenThousand.maxRunningJobs);
    expect(tenThousand.maxRunningJobs).toBeGreaterThan(2);
    expect(embeddingServerlessConfig(0).maxConcurrency).toBe(1);
    expect(embeddingServerlessConfig(10_000).maxConcurrency).toBe(200);
  });
});
