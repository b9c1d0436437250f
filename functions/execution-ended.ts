import { createHandler } from "../lib/pipeline/execution-ended.js";
import { openLinkedDb } from "./links.js";

/** EventBridge: an execution of the analysis state machine failed, timed out or was aborted. */
export const handler = createHandler({ openDb: () => openLinkedDb() });
