import type { AgentDeps } from "../../lib/agents/common.js";
import type { Db } from "../../lib/db/driver.js";
import { importPortfolio } from "../../lib/db/repositories/import-portfolio.js";
import { createJob, getJob, type JobRow } from "../../lib/db/repositories/jobs.js";
import { parsePortfolioFile } from "../../lib/portfolio/portfolio-file.js";
import { executeLocally, type LocalExecution, type LocalRunOptions } from "../../state-machine/local-executor.js";

export interface Holding {
  symbol: string;
  quantity: number;
  name?: string;
  price?: number;
}

/** Imports a user with the given accounts (one holding list per account) and creates a pending job. */
export async function userWithJob(
  db: Db,
  id: string,
  accounts: Holding[][],
  goals: { years_until_retirement?: number; target_retirement_income?: number } = {},
): Promise<string> {
  await importPortfolio(
    db,
    parsePortfolioFile({
      user: { id, display_name: `User ${id}`, ...goals },
      accounts: accounts.map((positions, i) => ({
        name: `${id} account ${i + 1}`,
        type: (["401k", "roth_ira", "taxable"] as const)[i % 3],
        cash_balance: 1000 * (i + 1),
        positions,
      })),
    }),
  );
  return createJob(db, { clerk_user_id: id });
}

/** Runs the definition locally with no waiting between retries. */
export async function runJob(
  deps: AgentDeps,
  input: unknown,
  options: Partial<LocalRunOptions> = {},
): Promise<{ execution: LocalExecution; job: JobRow | undefined }> {
  const execution = await executeLocally(input, { deps, retryIntervalMs: 0, ...options });
  const jobId = (input as { jobId?: string }).jobId;
  return { execution, job: jobId ? await getJob(deps.db, jobId) : undefined };
}

/** The states that ran, in order of entry (Map items by index). */
export const statesEntered = (execution: LocalExecution) =>
  execution.events.filter((e) => e.type === "StateEntered").map((e) => e.state);
