import { ConfigError, loadConfig, type ModelChoice } from "../config.js";
import { isEcrImageUri } from "./embedding-image.js";

/** The model a deployment uses unless `ALEX_MODEL` says otherwise (locally the default is `offline`). */
export const DEFAULT_DEPLOYED_MODEL = "bedrock:openai.gpt-oss-120b-1:0";

export interface DeploySettings {
  /** `ALEX_MODEL` exactly as the functions will read it. */
  alexModel: string;
  model: Exclude<ModelChoice, { provider: "openai-compatible" }>;
  bedrockRegion: string;
  /** An existing SageMaker endpoint to use instead of creating one. */
  embeddingEndpoint?: string;
  /** Overrides the Hugging Face inference image of the endpoint this app creates. */
  embeddingImage?: string;
}

const ENDPOINT_NAME = /^[a-z0-9](-*[a-z0-9]){0,62}$/;

/**
 * Reads the deploy-time choices from the environment of `sst deploy` / `sst dev` (SST also loads
 * `.env`): `ALEX_MODEL`, `BEDROCK_REGION`, `ALEX_EMBEDDING_ENDPOINT`, `ALEX_EMBEDDING_IMAGE`.
 */
export function deploySettings(env: Record<string, string | undefined>): DeploySettings {
  const alexModel = env.ALEX_MODEL?.trim() || DEFAULT_DEPLOYED_MODEL;
  const unsupported = () =>
    new ConfigError(`ALEX_MODEL: a deployment supports "bedrock:<modelId>" or "offline", got "${alexModel}"`);
  if (!/^(bedrock:|offline$)/.test(alexModel)) throw unsupported();
  const config = loadConfig({ ALEX_MODEL: alexModel, BEDROCK_REGION: env.BEDROCK_REGION });
  const model = config.model;
  if (model.provider === "openai-compatible") throw unsupported();
  const embeddingEndpoint = env.ALEX_EMBEDDING_ENDPOINT?.trim() || undefined;
  if (embeddingEndpoint && !ENDPOINT_NAME.test(embeddingEndpoint)) {
    throw new ConfigError(
      `ALEX_EMBEDDING_ENDPOINT: expected a SageMaker endpoint name in lowercase letters, digits and hyphens, got "${embeddingEndpoint}"`,
    );
  }
  const embeddingImage = env.ALEX_EMBEDDING_IMAGE?.trim() || undefined;
  if (embeddingImage && !isEcrImageUri(embeddingImage)) {
    throw new ConfigError(
      `ALEX_EMBEDDING_IMAGE: expected <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>, got "${embeddingImage}"`,
    );
  }
  return { alexModel, model, bedrockRegion: config.bedrock.region, embeddingEndpoint, embeddingImage };
}
