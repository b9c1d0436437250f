import {
  EMBEDDING_MODEL_ENVIRONMENT,
  embeddingServerlessConfig,
  huggingFaceImageUri,
} from "../lib/infra/embedding-image.js";
import { physicalName } from "../lib/infra/names.js";
import { embeddingEndpointGrants, knowledgeBaseGrants, policyDocument, trustPolicy } from "../lib/infra/permissions.js";
import type { DeploySettings } from "../lib/infra/settings.js";
import { EMBEDDING_DIMENSIONS } from "../lib/knowledge/types.js";
import { modelQuotaFromEnv, scaleLimits } from "../lib/scale/limits.js";
import type { AwsContext } from "./context.js";

export const VECTOR_INDEX = "financial-research";

/**
 * The reporter's market knowledge: an S3 Vectors index (384 dimensions, cosine) and the SageMaker
 * serverless endpoint that embeds queries — or an existing endpoint (`ALEX_EMBEDDING_ENDPOINT`).
 * Linked as `KnowledgeBase`.
 */
export function knowledgeBase(settings: DeploySettings, ctx: AwsContext) {
  const bucket = new aws.s3.VectorsVectorBucket("KnowledgeVectors", {
    vectorBucketName: physicalName([$app.name, $app.stage, "knowledge"]),
    forceDestroy: $app.removal === "remove",
  });
  const index = new aws.s3.VectorsIndex("KnowledgeIndex", {
    vectorBucketName: bucket.vectorBucketName,
    indexName: VECTOR_INDEX,
    dataType: "float32",
    dimension: EMBEDDING_DIMENSIONS,
    distanceMetric: "cosine",
    metadataConfiguration: { nonFilterableMetadataKeys: ["text", "title"] },
  });
  const endpoint = settings.embeddingEndpoint
    ? existingEndpoint(settings.embeddingEndpoint, ctx)
    : embeddingEndpoint(settings, ctx);

  return new sst.Linkable("KnowledgeBase", {
    properties: {
      embeddingEndpoint: endpoint.name,
      vectorBucket: bucket.vectorBucketName,
      vectorIndex: index.indexName,
    },
    include: knowledgeBaseGrants({ endpointArn: endpoint.arn, indexArn: index.indexArn }).map((grant) =>
      sst.aws.permission(grant),
    ),
  });
}

function existingEndpoint(name: string, ctx: AwsContext) {
  return { name, arn: $interpolate`arn:${ctx.partition}:sagemaker:${ctx.region}:${ctx.account}:endpoint/${name}` };
}

/** all-MiniLM-L6-v2 in the Hugging Face inference container, serverless (3072 MB, one call per running job). */
function embeddingEndpoint(settings: DeploySettings, ctx: AwsContext) {
  const name = physicalName([$app.name, $app.stage, "embeddings"]);
  const image = ctx.region.apply((region) => settings.embeddingImage ?? huggingFaceImageUri(region));
  const role = new aws.iam.Role("EmbeddingEndpointRole", { assumeRolePolicy: trustPolicy("sagemaker.amazonaws.com") });
  const policy = new aws.iam.RolePolicy("EmbeddingEndpointPolicy", {
    role: role.id,
    policy: $resolve({ ...ctx, imageUri: image }).apply((inputs) =>
      policyDocument(embeddingEndpointGrants({ ...inputs, endpointName: name })),
    ),
  });
  const model = new aws.sagemaker.Model(
    "EmbeddingModel",
    { executionRoleArn: role.arn, primaryContainer: { image, environment: { ...EMBEDDING_MODEL_ENVIRONMENT } } },
    { dependsOn: [policy] },
  );
  const config = new aws.sagemaker.EndpointConfiguration("EmbeddingEndpointConfig", {
    productionVariants: [
      {
        variantName: "AllTraffic",
        modelName: model.name,
        serverlessConfig: embeddingServerlessConfig(scaleLimits(modelQuotaFromEnv(process.env)).maxRunningJobs),
      },
    ],
  });
  return new aws.sagemaker.Endpoint("EmbeddingEndpoint", { name, endpointConfigName: config.name });
}
