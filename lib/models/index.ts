export { createModel, modelName, bedrockMiddleware, type CreateModelOptions, type ModelConfig } from "./provider.js";
export {
  OfflineModel,
  toOfflineTurn,
  type OfflinePolicy,
  type OfflineStep,
  type OfflineToolCall,
  type OfflineToolResult,
  type OfflineTurn,
} from "./offline.js";
export { ThrottledError, isThrottlingError, modelRetrySettings, type ModelRetryOptions, type RetryDelays } from "./retry.js";
