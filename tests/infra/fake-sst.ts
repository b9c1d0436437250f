import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Just enough of SST's and Pulumi's globals (`sst`, `aws`, `$config`, `$resolve`, `$interpolate`,
 * `$jsonStringify`, `$app`) to run `sst.config.ts` and every `stacks/` file for real, without `sst install`:
 * each resource is recorded with the inputs it would send to AWS, and outputs are plain values resolved
 * at once. ARNs are made up from the resource's name ({@link mockArn}), so a test can name them.
 */
export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const STAGE = "dev";

/** A resource's made-up ARN: `arn:aws:<namespace>:<region>:<account>:<kind>/<name>`. */
export const mockArn = (namespace: string, kind: string, name: string) =>
  `arn:aws:${namespace}:${REGION}:${ACCOUNT}:${kind}/${name}`;

/** An already-resolved Pulumi output. */
export class Out<T> {
  constructor(readonly value: T) {}
  apply<U>(f: (value: T) => U): Out<Resolved<U>> {
    return new Out(resolved(f(this.value)));
  }
}
type Resolved<T> = T extends Out<infer U> ? U : T;

/** `value` with every output inside it replaced by its value. */
export function resolved<T>(value: T): any {
  if (value instanceof Out) return resolved(value.value);
  if (Array.isArray(value)) return value.map(resolved);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolved(v)]));
  return value;
}

export interface Recorded {
  /** `aws:<namespace>.<Type>` or `sst:<Component>`. */
  type: string;
  name: string;
  args: Record<string, any>;
  resource: Record<string, any>;
}

const kebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();

/** A recorded resource whose unknown properties are outputs: its inputs, an `arn`, or a made-up value. */
function resource(registry: Recorded[], type: string, name: string, args: Record<string, any>, known = {}) {
  const [namespace, kind] = type.replace(/^sst:/, "").split(".").slice(-2);
  const base: Record<string, any> = { ...known };
  const proxy = new Proxy(base, {
    get(target, prop) {
      if (typeof prop !== "string") return undefined;
      if (prop in target) return target[prop];
      if (prop === "then") return undefined;
      if (prop in args) return new Out(resolved(args[prop]));
      if (prop === "name") return new Out(name);
      if (prop === "id") return new Out(`${name}-id`);
      if (prop.endsWith("Arn") || prop === "arn") return new Out(mockArn(namespace, kebab(kind ?? namespace), name));
      return new Out(`${name}.${prop}`);
    },
  });
  registry.push({ type, name, args, resource: proxy });
  return proxy;
}

/** A namespace whose `Type` members construct recorded resources (`new aws.iam.Role(name, args)`). */
function namespace(registry: Recorded[], prefix: string, overrides: Record<string, unknown> = {}) {
  return new Proxy(overrides, {
    get(target, member) {
      if (typeof member !== "string") return undefined;
      if (member in target) return target[member];
      if (/^[a-z]/.test(member)) return namespace(registry, `${prefix}.${member}`);
      return function Resource(name: string, args: Record<string, any> = {}) {
        return resource(registry, `${prefix}.${member}`, name, args);
      };
    },
  });
}

/** Installs the globals, runs `sst.config.ts`'s `run()` and returns every resource it declared. */
export async function runSstConfig(env: Record<string, string>): Promise<Recorded[]> {
  const registry: Recorded[] = [];
  const record = (type: string, name: string, args: Record<string, any>, known: Record<string, unknown>) =>
    resource(registry, type, name, args, known);
  const aws = namespace(registry, "aws", {
    getCallerIdentityOutput: () => ({ accountId: new Out(ACCOUNT) }),
    getRegionOutput: () => ({ region: new Out(REGION) }),
    getPartitionOutput: () => ({ partition: new Out("aws") }),
    secretsmanager: namespace(registry, "aws.secretsmanager", {
      getRandomPasswordOutput: () => ({ randomPassword: new Out("generated-password") }),
    }),
  });
  const sst = {
    Linkable: function Linkable(name: string, args: Record<string, any>) {
      return record("sst:Linkable", name, args, { linkName: name });
    },
    Secret: function Secret(name: string, placeholder?: string) {
      return record("sst:Secret", name, { placeholder }, { linkName: name, secret: true });
    },
    aws: {
      permission: (input: Record<string, unknown>) => ({ type: "aws.permission", ...input }),
      Vpc: function Vpc(name: string, args: Record<string, any> = {}) {
        return record("sst:aws.Vpc", name, args, {});
      },
      Aurora: function Aurora(name: string, args: Record<string, any>) {
        return record("sst:aws.Aurora", name, args, {
          clusterArn: new Out(`arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${name}`),
          secretArn: new Out(mockArn("secretsmanager", "secret", `${name}MasterSecret`)),
          database: new Out(args.database),
        });
      },
      Queue: function Queue(name: string, args: Record<string, any> = {}) {
        const arn = new Out(mockArn("sqs", "queue", name));
        return record("sst:aws.Queue", name, args, {
          arn,
          url: new Out(name),
          nodes: { queue: { name: new Out(name) } },
        });
      },
      Function: function LambdaFunction(name: string, args: Record<string, any>) {
        return record("sst:aws.Function", name, args, {
          arn: new Out(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`),
          name: new Out(name),
        });
      },
    },
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const globals = {
    aws,
    sst,
    $app: { name: "alex-orchestra", stage: STAGE, removal: "remove" },
    $config: (config: unknown) => config,
    $resolve: (value: unknown) => new Out(resolved(value)),
    $interpolate: (strings: TemplateStringsArray, ...values: unknown[]) =>
      new Out(strings.reduce((text, part, i) => text + part + (i < values.length ? resolved(values[i]) : ""), "")),
    $jsonStringify: (value: unknown) => new Out(JSON.stringify(resolved(value))),
  };
  // Other test files share this worker's globals (vitest.config.ts: isolate false): they are put back afterwards.
  const savedGlobals = Object.fromEntries(Object.keys(globals).map((key) => [key, Reflect.get(globalThis, key)]));
  Object.assign(globalThis, globals);
  try {
    // Imported by computed URL: sst.config.ts and the stacks use SST's globals, which only tsconfig.sst.json declares.
    const config = (await import(pathToFileURL(resolve("sst.config.ts")).href)).default as { run(): Promise<unknown> };
    await config.run();
  } finally {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
    Object.assign(process.env, saved);
    for (const [key, value] of Object.entries(savedGlobals)) {
      if (value === undefined) Reflect.deleteProperty(globalThis, key);
      else Reflect.set(globalThis, key, value);
    }
  }
  return registry;
}
