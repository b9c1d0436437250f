/**
 * The knowledge base's embedding model: all-MiniLM-L6-v2 (384 dimensions) served by the Hugging Face
 * inference container on a SageMaker serverless endpoint, as in the original system.
 */
export const EMBEDDING_MODEL_ENVIRONMENT = {
  HF_MODEL_ID: "sentence-transformers/all-MiniLM-L6-v2",
  HF_TASK: "feature-extraction",
} as const;

/** SageMaker serverless: MaxConcurrency is 1–200 per endpoint (ProductionVariantServerlessConfig). */
const SERVERLESS_MAX_CONCURRENCY = 200;

/**
 * The endpoint's serverless configuration, sized from the same quota arithmetic as admission control:
 * the reporter embeds one text at a time, so at most one call per running job is in flight, and
 * `maxRunningJobs` (lib/scale/limits.ts) of concurrency never throttles this app's own calls. The
 * account's total serverless concurrency across endpoints is a separate quota (docs/scale.md).
 */
export function embeddingServerlessConfig(maxRunningJobs: number) {
  return {
    memorySizeInMb: 3072,
    maxConcurrency: Math.min(SERVERLESS_MAX_CONCURRENCY, Math.max(1, Math.ceil(maxRunningJobs))),
  };
}

const HF_INFERENCE_REPOSITORY = "huggingface-pytorch-inference";
const HF_INFERENCE_TAG = "2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04";

/** AWS Deep Learning Containers registry account per region (sagemaker-python-sdk image_uri_config). */
const DLC_ACCOUNTS: Record<string, string> = {
  "af-south-1": "626614931356",
  "ap-east-1": "871362719292",
  "ap-northeast-1": "763104351884",
  "ap-northeast-2": "763104351884",
  "ap-northeast-3": "364406365360",
  "ap-south-1": "763104351884",
  "ap-south-2": "772153158452",
  "ap-southeast-1": "763104351884",
  "ap-southeast-2": "763104351884",
  "ap-southeast-3": "907027046896",
  "ap-southeast-4": "457447274322",
  "ca-central-1": "763104351884",
  "ca-west-1": "204538143572",
  "cn-north-1": "727897471807",
  "cn-northwest-1": "727897471807",
  "eu-central-1": "763104351884",
  "eu-central-2": "380420809688",
  "eu-north-1": "763104351884",
  "eu-south-1": "692866216735",
  "eu-south-2": "503227376785",
  "eu-west-1": "763104351884",
  "eu-west-2": "763104351884",
  "eu-west-3": "763104351884",
  "il-central-1": "780543022126",
  "me-central-1": "914824155844",
  "me-south-1": "217643126080",
  "sa-east-1": "763104351884",
  "us-east-1": "763104351884",
  "us-east-2": "763104351884",
  "us-gov-east-1": "446045086412",
  "us-gov-west-1": "442386744353",
  "us-west-1": "763104351884",
  "us-west-2": "763104351884",
};

/** The CPU Hugging Face inference image for `region` (the endpoint must pull from its own region). */
export function huggingFaceImageUri(region: string): string {
  const account = DLC_ACCOUNTS[region];
  if (!account) {
    throw new Error(
      `No Hugging Face inference image known for region "${region}": set ALEX_EMBEDDING_IMAGE to an image URI, ` +
        "or ALEX_EMBEDDING_ENDPOINT to an existing endpoint",
    );
  }
  const domain = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `${account}.dkr.ecr.${region}.${domain}/${HF_INFERENCE_REPOSITORY}:${HF_INFERENCE_TAG}`;
}

const ECR_IMAGE =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+)(?::[\w.-]+|@sha256:[a-f0-9]{64})$/;

/** True for `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` (or `@sha256:…`). */
export const isEcrImageUri = (uri: string) => ECR_IMAGE.test(uri);

/** The ECR repository an image is pulled from, for the endpoint role's pull permission. */
export function ecrRepositoryArn(imageUri: string, partition: string): string {
  const match = ECR_IMAGE.exec(imageUri);
  if (!match) throw new Error(`Not an ECR image URI: ${imageUri}`);
  const [, account, region, repository] = match;
  return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}
