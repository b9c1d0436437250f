import { describe, expect, it } from "vitest";
import { LINK_PROPERTIES, linkedConfig, linkedEnvironment, linkedRoleSecretArns } from "../../functions/links.js";
import { ecrRepositoryArn, huggingFaceImageUri } from "../../lib/infra/embedding-image.js";
import { FUNCTION_NAMES, functionEnvironment, JOBS_VISIBILITY_TIMEOUT_SECONDS } from "../../lib/infra/functions.js";
import { physicalName } from "../../lib/infra/names.js";
import { DEFAULT_DEPLOYED_MODEL, deploySettings } from "../../lib/infra/settings.js";
import { assertNotSstDevStub, isSstDevStubResult } from "../../lib/pipeline/sst-dev.js";
import { TASK_NAMES, taskTimeout } from "../../lib/pipeline/tasks.js";

describe("deploy settings", () => {
  it("deploys Bedrock gpt-oss in us-west-2 unless told otherwise", () => {
    expect(deploySettings({})).toEqual({
      alexModel: DEFAULT_DEPLOYED_MODEL,
      model: { provider: "bedrock", modelId: "openai.gpt-oss-120b-1:0" },
      bedrockRegion: "us-west-2",
      embeddingEndpoint: undefined,
      embeddingImage: undefined,
    });
  });

  it("takes ALEX_MODEL, BEDROCK_REGION and an existing endpoint", () => {
    const settings = deploySettings({
      ALEX_MODEL: "bedrock:us.amazon.nova-pro-v1:0",
      BEDROCK_REGION: "us-east-1",
      ALEX_EMBEDDING_ENDPOINT: "alex-embedding-endpoint",
    });
    expect(settings).toMatchObject({
      alexModel: "bedrock:us.amazon.nova-pro-v1:0",
      model: { provider: "bedrock", modelId: "us.amazon.nova-pro-v1:0" },
      bedrockRegion: "us-east-1",
      embeddingEndpoint: "alex-embedding-endpoint",
    });
  });

  it("rejects what a deployment cannot run or name", () => {
    expect(() => deploySettings({ ALEX_MODEL: "openai-compatible:llama3" })).toThrow(/a deployment supports/);
    expect(() => deploySettings({ ALEX_EMBEDDING_ENDPOINT: "Alex_Endpoint" })).toThrow(/ALEX_EMBEDDING_ENDPOINT/);
    expect(() => deploySettings({ ALEX_EMBEDDING_IMAGE: "docker.io/library/python:3" })).toThrow(
      /ALEX_EMBEDDING_IMAGE/,
    );
    expect(deploySettings({ ALEX_MODEL: "offline" }).model).toEqual({ provider: "offline" });
  });
});

describe("function environment", () => {
  it("carries the model, regions and drivers, and nothing secret", () => {
    for (const name of FUNCTION_NAMES) {
      const env = functionEnvironment(name, {
        alexModel: DEFAULT_DEPLOYED_MODEL,
        bedrockRegion: "us-west-2",
        region: "eu-west-1",
      });
      expect(env).toMatchObject({
        ALEX_MODEL: DEFAULT_DEPLOYED_MODEL,
        BEDROCK_REGION: "us-west-2",
        DEFAULT_AWS_REGION: "eu-west-1",
        ALEX_DB: "data-api",
      });
      expect(
        Object.keys(env).filter(
          (key) => /SECRET|PASSWORD|KEY|TOKEN|AWS_REGION$/.test(key) && key !== "DEFAULT_AWS_REGION",
        ),
      ).toEqual([]);
      expect(env.ALEX_EMBEDDER === "sagemaker", name).toBe(name === "reporter");
    }
  });

  it("keeps a job message invisible longer than any task may take", () => {
    for (const task of TASK_NAMES) expect(JOBS_VISIBILITY_TIMEOUT_SECONDS).toBeGreaterThan(taskTimeout(task));
  });
});

describe("links", () => {
  const database = {
    clusterArn: "arn:aws:rds:eu-west-1:1:cluster:c",
    secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:s",
    database: "alex",
  };
  const knowledgeBase = {
    embeddingEndpoint: "alex-dev-embeddings",
    vectorBucket: "alex-dev-knowledge",
    vectorIndex: "financial-research",
  };

  it("fills the config variables from the linked properties", () => {
    expect(linkedEnvironment({ Database: database, KnowledgeBase: knowledgeBase })).toEqual({
      AURORA_CLUSTER_ARN: database.clusterArn,
      AURORA_SECRET_ARN: database.secretArn,
      AURORA_DATABASE: "alex",
      SAGEMAKER_ENDPOINT: "alex-dev-embeddings",
      VECTOR_BUCKET: "alex-dev-knowledge",
      VECTOR_INDEX: "financial-research",
    });
    expect(linkedEnvironment({ Database: database })).not.toHaveProperty("VECTOR_BUCKET");
    expect(Object.keys(LINK_PROPERTIES)).toEqual([
      "Database",
      "DatabasePrices",
      "DatabaseAdmin",
      "KnowledgeBase",
      "PolygonApiKey",
    ]);
    expect(
      linkedEnvironment({ DatabaseAdmin: { ...database, appSecretArn: "arn:app", pricesSecretArn: "arn:prices" } }),
    ).toMatchObject({ AURORA_APP_SECRET_ARN: "arn:app", AURORA_PRICES_SECRET_ARN: "arn:prices" });
    expect(
      linkedRoleSecretArns({ DatabaseAdmin: { ...database, appSecretArn: "arn:a", pricesSecretArn: "arn:p" } }),
    ).toEqual({ alex_app: "arn:a", alex_prices: "arn:p" });
    // The price refresh connects with its own role's secret, through the same config variables.
    const prices = { ...database, secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:prices" };
    expect(linkedEnvironment({ DatabasePrices: prices })).toEqual({
      AURORA_CLUSTER_ARN: database.clusterArn,
      AURORA_SECRET_ARN: prices.secretArn,
      AURORA_DATABASE: "alex",
    });
    expect(linkedEnvironment({ PolygonApiKey: { value: "pk" } })).toEqual({ POLYGON_API_KEY: "pk" });
    expect(linkedConfig({ Database: database, PolygonApiKey: { value: "" } }, {}).market.apiKey).toBeUndefined();
  });

  it("builds a Data API configuration for a linked function", () => {
    const config = linkedConfig(
      { Database: database, KnowledgeBase: knowledgeBase },
      {
        ALEX_DB: "data-api",
        ALEX_EMBEDDER: "sagemaker",
        ALEX_VECTOR_STORE: "s3vectors",
        DEFAULT_AWS_REGION: "eu-west-1",
      },
    );
    expect(config.db).toMatchObject({ driver: "data-api", clusterArn: database.clusterArn, database: "alex" });
    expect(config.knowledge).toMatchObject({
      sagemakerEndpoint: "alex-dev-embeddings",
      vectorBucket: "alex-dev-knowledge",
    });
  });

  it("rejects a malformed link, and two database links on one function", () => {
    expect(() => linkedEnvironment({ Database: { clusterArn: "" } })).toThrow(/Link "Database" is malformed/);
    expect(() => linkedEnvironment({ DatabaseAdmin: database })).toThrow(/Link "DatabaseAdmin" is malformed/);
    expect(() => linkedEnvironment({ Database: database, DatabasePrices: database })).toThrow(
      'A function links one database role, not "Database" and "DatabasePrices"',
    );
  });
});

describe("names and images", () => {
  it("makes physical names AWS accepts", () => {
    expect(physicalName(["alex-orchestra", "Dev_Stage", "embeddings"])).toBe("alex-orchestra-dev-stage-embeddings");
    const long = physicalName(["alex-orchestra", "a".repeat(80), "embeddings"]);
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^[a-z0-9](-*[a-z0-9])*$/);
  });

  it("pulls the Hugging Face inference image from the deployment's own Region", () => {
    expect(huggingFaceImageUri("us-east-1")).toBe(
      "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04",
    );
    expect(huggingFaceImageUri("af-south-1")).toMatch(/^626614931356\.dkr\.ecr\.af-south-1\.amazonaws\.com\//);
    expect(() => huggingFaceImageUri("xx-nowhere-1")).toThrow(/ALEX_EMBEDDING_IMAGE/);
    expect(ecrRepositoryArn(huggingFaceImageUri("eu-west-1"), "aws")).toBe(
      "arn:aws:ecr:eu-west-1:763104351884:repository/huggingface-pytorch-inference",
    );
  });
});

describe("sst dev guard", () => {
  const stub = { statusCode: "500", body: "sst dev is not running (worker: 0123456789abcdef0123456789abcdef)" };

  it("recognises the stub's success-shaped answer and nothing a handler returns", () => {
    expect(isSstDevStubResult(stub)).toBe(true);
    expect(isSstDevStubResult({ job_id: "x", claimed: true, untagged: 0 })).toBe(false);
    expect(isSstDevStubResult([stub])).toBe(false);
    expect(isSstDevStubResult(null)).toBe(false);
    expect(() => assertNotSstDevStub(stub, "Plan analysis's result")).toThrow(/sst dev is not running/);
  });
});
