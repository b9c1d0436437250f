import { JOB_STARTER_TIMEOUT_SECONDS } from "../pipeline/admission.js";
import { TASKS, type TaskName, taskTimeout } from "../pipeline/tasks.js";
import { type AgentLambda, LEAD_AGENTS, SPECIALIST_ROSTER, type SpecialistName } from "../roster.js";

/**
 * What a function can be linked to (SST `link`): the Aurora cluster as the application role
 * (`Database`), as the prices role (`DatabasePrices`, refresh prices only: no users' tables) or as its
 * master user (`DatabaseAdmin`, migrate only), the knowledge base, and the market-data key
 * (`PolygonApiKey`, refresh prices only).
 */
export type LinkName = "Database" | "DatabasePrices" | "DatabaseAdmin" | "KnowledgeBase" | "PolygonApiKey";

export interface FunctionSpec {
  /** SST component name, also the stem of the Lambda's physical name. */
  resource: string;
  handler: string;
  memoryMB: number;
  timeoutSeconds: number;
  /** Calls the configured Bedrock model (`bedrock:InvokeModel`). */
  bedrock: boolean;
  links: readonly LinkName[];
  /** Environment beyond {@link baseEnvironment}. */
  environment?: Readonly<Record<string, string>>;
  /**
   * Runs on the developer's machine under `sst dev`. Off for functions the deployment itself or
   * EventBridge invokes, which must never get the stub's "sst dev is not running" answer.
   */
  live: boolean;
  /** Consumes the jobs dead-letter queue (reads and deletes its messages). */
  deadLetterConsumer?: boolean;
  /** Runs on a schedule (EventBridge Scheduler). */
  scheduled?: boolean;
}

const KNOWLEDGE_BASE_ENVIRONMENT = { ALEX_EMBEDDER: "sagemaker", ALEX_VECTOR_STORE: "s3vectors" } as const;

function task(
  name: TaskName,
  resource: string,
  links: readonly LinkName[],
  environment?: Record<string, string>,
): FunctionSpec {
  const { handler, memoryMB, timeoutSeconds, agent } = TASKS[name];
  return { resource, handler, memoryMB, timeoutSeconds, bedrock: agent, links, environment, live: true };
}

/** A specialist's function, as its row in `lib/roster.ts` declares it (the knowledge base only if it reads it). */
function specialist(name: SpecialistName): FunctionSpec {
  const { resource, knowledgeBase }: AgentLambda = SPECIALIST_ROSTER[name].lambda;
  return knowledgeBase
    ? task(name, resource, ["Database", "KnowledgeBase"], KNOWLEDGE_BASE_ENVIRONMENT)
    : task(name, resource, ["Database"]);
}

const SPECIALIST_FUNCTIONS = Object.fromEntries(
  Object.keys(SPECIALIST_ROSTER).map((name) => [name, specialist(name as SpecialistName)]),
) as Record<SpecialistName, FunctionSpec>;

/**
 * Every Lambda the app deploys. Memory and timeouts of the state machine's tasks come from
 * `lib/pipeline/tasks.ts` (the agents' from `lib/roster.ts`); `links` and `bedrock` decide their permissions
 * (`./permissions.ts`).
 */
export const FUNCTIONS = {
  prepareJob: task("prepareJob", "PrepareJob", ["Database"]),
  // Also invoked daily by EventBridge Scheduler (stacks/market-data.ts); the key comes from the sst.Secret link.
  refreshPrices: task("refreshPrices", "RefreshPrices", ["DatabasePrices", "PolygonApiKey"]),
  tagger: task("tagger", LEAD_AGENTS.tagger.resource, ["Database"]),
  planner: task("planner", LEAD_AGENTS.planner.resource, ["Database"]),
  ...SPECIALIST_FUNCTIONS,
  finalizeJob: task("finalizeJob", "FinalizeJob", ["Database"]),
  markJobFailed: task("markJobFailed", "MarkJobFailed", ["Database"]),
  migrate: {
    resource: "MigrateDatabase",
    handler: "functions/migrate.handler",
    memoryMB: 256,
    timeoutSeconds: 180,
    bedrock: false,
    links: ["DatabaseAdmin"],
    live: false,
  },
  executionEnded: {
    resource: "ExecutionEnded",
    handler: "functions/execution-ended.handler",
    memoryMB: 256,
    timeoutSeconds: 30,
    bedrock: false,
    links: ["Database"],
    live: false,
  },
  deadLetters: {
    resource: "JobsDeadLetterConsumer",
    handler: "functions/dead-letters.handler",
    memoryMB: 256,
    timeoutSeconds: 30,
    bedrock: false,
    links: ["Database"],
    live: false,
    deadLetterConsumer: true,
  },
  sweepJobs: {
    resource: "SweepStuckJobs",
    handler: "functions/sweep-jobs.handler",
    memoryMB: 256,
    timeoutSeconds: 60,
    bedrock: false,
    links: ["Database"],
    live: false,
    scheduled: true,
  },
} as const satisfies Record<TaskName | "migrate" | "executionEnded" | "deadLetters" | "sweepJobs", FunctionSpec>;

export type FunctionName = keyof typeof FUNCTIONS;
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];

/** The source file of a handler (`functions/tagger.handler` → `functions/tagger.ts`). */
export const handlerFile = (spec: Pick<FunctionSpec, "handler">) => spec.handler.replace(/\.[^./]+$/, ".ts");

export interface EnvironmentInputs {
  /** `ALEX_MODEL` as the functions read it, e.g. `bedrock:openai.gpt-oss-120b-1:0`. */
  alexModel: string;
  bedrockRegion: string;
  /** The deployment's region: every non-Bedrock AWS client uses it. */
  region: string;
}

/** Plain (non-secret) environment of a function; linked resources arrive through SST links instead. */
export function functionEnvironment(name: FunctionName, inputs: EnvironmentInputs): Record<string, string> {
  const spec: FunctionSpec = FUNCTIONS[name];
  return {
    ALEX_MODEL: inputs.alexModel,
    BEDROCK_REGION: inputs.bedrockRegion,
    DEFAULT_AWS_REGION: inputs.region,
    ALEX_DB: "data-api",
    ALEX_LOG_LEVEL: "INFO",
    OPENAI_AGENTS_DISABLE_TRACING: "1",
    ...spec.environment,
  };
}

/**
 * The job starter (admission control): not a task, so not in {@link FUNCTIONS}; the pipeline stack
 * creates it once the state machine exists (it starts that machine's executions).
 */
export const JOB_STARTER = {
  resource: "JobStarter",
  handler: "functions/start-jobs.handler",
  memoryMB: 256,
  timeoutSeconds: JOB_STARTER_TIMEOUT_SECONDS,
} as const;

/**
 * The jobs queue's visibility timeout: at least six times the job starter's timeout (the Lambda
 * Developer Guide's advice for an SQS event source), and longer than the slowest task's Step Functions
 * timeout plus a minute. A message the starter defers is made visible again sooner, after
 * ADMISSION_RETRY_SECONDS; this bounds how soon one whose StartExecution failed is delivered again.
 */
export const JOBS_VISIBILITY_TIMEOUT_SECONDS = Math.max(
  6 * JOB_STARTER_TIMEOUT_SECONDS,
  Math.max(...(Object.keys(TASKS) as TaskName[]).map(taskTimeout)) + 60,
);

export { JOBS_MAX_RECEIVE_COUNT } from "../pipeline/admission.js";
