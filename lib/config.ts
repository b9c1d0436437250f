import * as z from "zod";

/** Where the agents' model comes from, parsed from `ALEX_MODEL`. */
export type ModelChoice =
  | { provider: "offline" }
  | { provider: "bedrock"; modelId: string }
  | { provider: "openai-compatible"; model: string };

const DEFAULT_BEDROCK_MODEL = "openai.gpt-oss-120b-1:0";

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const Env = z.object({
  ALEX_MODEL: z.string().trim().default("offline"),
  BEDROCK_MODEL_ID: z.string().trim().default(DEFAULT_BEDROCK_MODEL),
  BEDROCK_REGION: z.string().trim().min(1).default("us-west-2"),
  BEDROCK_REASONING_EFFORT: z.enum(["low", "medium", "high"]).default("low"),
  DEFAULT_AWS_REGION: z.string().trim().min(1).default("us-east-1"),
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: optionalText,
  ALEX_MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(4),
  ALEX_REVIEW_THRESHOLD: z.coerce.number().int().min(0).max(100).default(70),

  ALEX_DB: z.enum(["pglite", "data-api"]).default("pglite"),
  ALEX_DB_DIR: z.string().trim().min(1).default(".alex/db"),
  AURORA_CLUSTER_ARN: optionalText,
  AURORA_SECRET_ARN: optionalText,
  AURORA_DATABASE: z.string().trim().min(1).default("alex"),

  ALEX_EMBEDDER: z.enum(["hash", "sagemaker"]).default("hash"),
  SAGEMAKER_ENDPOINT: optionalText,
  ALEX_VECTOR_STORE: z.enum(["local", "s3vectors"]).default("local"),
  ALEX_KNOWLEDGE_DIR: z.string().trim().min(1).default(".alex/knowledge"),
  VECTOR_BUCKET: optionalText,
  VECTOR_INDEX: z.string().trim().min(1).default("financial-research"),

  ALEX_TAGGER_CONCURRENCY: positiveInt(4),
  /** Seconds a tagger attempt starts classifications for; the rest of its 300 s Lambda timeout is for the write. */
  ALEX_TAGGER_BUDGET_SECONDS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.coerce.number().min(0).max(270).default(240),
  ),

  POLYGON_API_KEY: optionalText,
  POLYGON_BASE_URL: z.url().default("https://api.polygon.io"),
  ALEX_PRICES_MAX_AGE_HOURS: positiveInt(20),
  ALEX_LOG_LEVEL: z.enum(["DEBUG", "INFO", "WARN", "ERROR", "SILENT"]).default("WARN"),
  ALEX_TRACE_CONTENT: z.enum(["0", "1"]).default("0"),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === "" ? undefined : v), z.url().optional()),
});

export type Config = ReturnType<typeof loadConfig>;

/** Parses every environment variable the project reads, in one place, with errors that name the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid environment:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const config = {
    model: parseModelChoice(e.ALEX_MODEL, e.BEDROCK_MODEL_ID),
    bedrock: { region: e.BEDROCK_REGION, reasoningEffort: e.BEDROCK_REASONING_EFFORT },
    openai: { baseURL: e.OPENAI_BASE_URL, apiKey: e.OPENAI_API_KEY },
    modelMaxRetries: e.ALEX_MODEL_MAX_RETRIES,
    /** Below this reviewer score (0–100) the reporter revises its report once. */
    reviewThreshold: e.ALEX_REVIEW_THRESHOLD,
    awsRegion: e.DEFAULT_AWS_REGION,
    db: {
      driver: e.ALEX_DB,
      dir: e.ALEX_DB_DIR,
      clusterArn: e.AURORA_CLUSTER_ARN,
      secretArn: e.AURORA_SECRET_ARN,
      database: e.AURORA_DATABASE,
    },
    knowledge: {
      embedder: e.ALEX_EMBEDDER,
      sagemakerEndpoint: e.SAGEMAKER_ENDPOINT,
      store: e.ALEX_VECTOR_STORE,
      localDir: e.ALEX_KNOWLEDGE_DIR,
      vectorBucket: e.VECTOR_BUCKET,
      vectorIndex: e.VECTOR_INDEX,
    },
    taggerConcurrency: e.ALEX_TAGGER_CONCURRENCY,
    taggerBudgetSeconds: e.ALEX_TAGGER_BUDGET_SECONDS,
    /** Polygon end-of-day prices; without a key the last known (seed) prices stay. */
    market: { apiKey: e.POLYGON_API_KEY, baseUrl: e.POLYGON_BASE_URL, maxAgeHours: e.ALEX_PRICES_MAX_AGE_HOURS },
    logLevel: e.ALEX_LOG_LEVEL,
    trace: { content: e.ALEX_TRACE_CONTENT === "1", otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT },
  };
  assertConsistent(config);
  return config;
}

/** The model's name for payloads' `model` field: "offline" | "bedrock:<id>" | "openai-compatible:<model>". */
export function modelName(config: { model: ModelChoice }): string {
  const choice = config.model;
  switch (choice.provider) {
    case "offline":
      return "offline";
    case "bedrock":
      return `bedrock:${choice.modelId}`;
    case "openai-compatible":
      return `openai-compatible:${choice.model}`;
  }
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

function parseModelChoice(value: string, defaultBedrockModel: string): ModelChoice {
  if (value === "offline") return { provider: "offline" };
  const [provider, ...rest] = value.split(":");
  const id = rest.join(":");
  if (provider === "bedrock") return { provider, modelId: id || defaultBedrockModel };
  if (provider === "openai-compatible" && id) return { provider, model: id };
  throw new ConfigError(
    `ALEX_MODEL: expected "offline", "bedrock:<modelId>" or "openai-compatible:<model>", got "${value}"`,
  );
}

function assertConsistent(config: {
  model: ModelChoice;
  openai: { baseURL?: string };
  db: { driver: string; clusterArn?: string; secretArn?: string };
  knowledge: { embedder: string; sagemakerEndpoint?: string; store: string; vectorBucket?: string };
}) {
  if (config.model.provider === "openai-compatible" && !config.openai.baseURL) {
    throw new ConfigError("OPENAI_BASE_URL: required when ALEX_MODEL is openai-compatible:<model>");
  }
  if (config.db.driver === "data-api" && (!config.db.clusterArn || !config.db.secretArn)) {
    throw new ConfigError("AURORA_CLUSTER_ARN and AURORA_SECRET_ARN: required when ALEX_DB=data-api");
  }
  if (config.knowledge.embedder === "sagemaker" && !config.knowledge.sagemakerEndpoint) {
    throw new ConfigError("SAGEMAKER_ENDPOINT: required when ALEX_EMBEDDER=sagemaker");
  }
  if (config.knowledge.store === "s3vectors" && !config.knowledge.vectorBucket) {
    throw new ConfigError("VECTOR_BUCKET: required when ALEX_VECTOR_STORE=s3vectors");
  }
}
