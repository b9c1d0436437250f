import type { Model, ModelRequest, ModelResponse, ModelRetryAdviceRequest, StreamEvent } from "@openai/agents-core";
import type { Config } from "../config.js";
import { OfflineModel, type OfflinePolicy } from "./offline.js";

/** The parts of the configuration that choose and configure the model. */
export type ModelConfig = Pick<Config, "model" | "bedrock" | "openai" | "modelMaxRetries">;

export interface CreateModelOptions {
  /** Agent name, for logs and error messages. */
  agent: string;
  jobId?: string;
  /** How this agent behaves when `ALEX_MODEL=offline`. */
  offlinePolicy: OfflinePolicy;
  /** Tests only: where the Bedrock Converse API lives (production uses AWS's endpoint for the region). */
  bedrockBaseURL?: string;
}

/**
 * The one place that hands every agent its model, chosen by `ALEX_MODEL`:
 * `offline` → {@link OfflineModel}; `bedrock:<id>` and `openai-compatible:<model>` → `aisdk()`
 * over the AI SDK provider. Throttling is retried by the runner (`modelRetrySettings` in ./retry.ts).
 * A provider's module (./bedrock.ts, ./openai-compatible.ts) is imported on the model's first request,
 * so a Lambda loads only the provider it is configured with, and none at import.
 */
export function createModel(config: ModelConfig, options: CreateModelOptions): Model {
  const choice = config.model;
  switch (choice.provider) {
    case "offline":
      return new OfflineModel(options.offlinePolicy, options.agent);
    case "bedrock":
      return new DeferredModel(async () =>
        (await import("./bedrock.js")).bedrockModel(choice.modelId, config.bedrock, options.bedrockBaseURL),
      );
    case "openai-compatible": {
      const { baseURL, apiKey } = config.openai;
      if (!baseURL) throw new Error("OPENAI_BASE_URL: required when ALEX_MODEL is openai-compatible:<model>");
      return new DeferredModel(async () =>
        (await import("./openai-compatible.js")).openAICompatibleModel(choice.model, baseURL, apiKey),
      );
    }
  }
}

/** Also here for callers that build models. */
export { modelName } from "../config.js";

/** A model built on its first request by `load` (which imports the provider); a failed load is tried again. */
export class DeferredModel implements Model {
  #loading: Promise<Model> | undefined;
  #loaded: Model | undefined;

  constructor(private readonly load: () => Promise<Model>) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    return (await this.model()).getResponse(request);
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    yield* (await this.model()).getStreamedResponse(request);
  }

  /** The loaded model's advice; none before it is loaded (a failed import is not a model error). */
  getRetryAdvice(args: ModelRetryAdviceRequest): ReturnType<NonNullable<Model["getRetryAdvice"]>> {
    return this.#loaded?.getRetryAdvice?.(args);
  }

  private model(): Promise<Model> {
    this.#loading ??= this.load().then(
      (model) => (this.#loaded = model),
      (error: unknown) => {
        this.#loading = undefined;
        throw error;
      },
    );
    return this.#loading;
  }
}
