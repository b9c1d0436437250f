import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentDeps } from "../../lib/agents/common.js";
import { loadConfig } from "../../lib/config.js";
import type { Db } from "../../lib/db/driver.js";
import { claimJobListingUntagged, createJob } from "../../lib/db/repositories/jobs.js";
import { createKnowledgeBase } from "../../lib/knowledge/knowledge-base.js";

/** Offline config with a private knowledge directory (the bundled corpus is ingested on first use). */
export function offlineConfig(env: Record<string, string> = {}) {
  const knowledgeDir = mkdtempSync(join(tmpdir(), "alex-kb-"));
  return loadConfig({ ALEX_MODEL: "offline", ALEX_KNOWLEDGE_DIR: knowledgeDir, ...env });
}

export async function offlineDeps(db: Db, overrides: Partial<AgentDeps> = {}): Promise<AgentDeps> {
  const config = overrides.config ?? offlineConfig();
  return { db, config, knowledge: await createKnowledgeBase(config), ...overrides };
}

/** A job for the user, already claimed (running), as the state machine leaves it before the agents. */
export async function runningJob(db: Db, userId: string): Promise<string> {
  const jobId = await createJob(db, { clerk_user_id: userId });
  await claimJobListingUntagged(db, jobId, "execution-1");
  return jobId;
}
