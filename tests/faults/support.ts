import type { AgentDeps } from "../../lib/agents/common.js";
import type { Db } from "../../lib/db/driver.js";
import { ThrottledError } from "../../lib/models/retry.js";
import type { TaskFunction } from "../../lib/pipeline/task.js";
import type { TaskName } from "../../lib/pipeline/tasks.js";
import { TASK_FUNCTIONS } from "../../state-machine/local-executor.js";

export type Summary = {
  chosen: { agent: string }[];
  results: Record<string, { status: string; error?: string }>;
  tagging: { requested: number; tagged: string[]; failed?: unknown } | null;
  portfolio: { total_value: number };
};

/** Jobs no execution will end: the fault suite asserts there are none after every case. */
export async function unfinishedJobs(db: Db): Promise<{ id: string; status: string }[]> {
  const { rows } = await db.query<{ id: string; status: string }>(
    "SELECT id, status FROM jobs WHERE status IN ('pending', 'running')",
  );
  return rows;
}

export const throwing =
  (name: string, message: string): TaskFunction<unknown> =>
  async () => {
    throw Object.assign(new Error(message), { name });
  };

/** The real task, throttled (ThrottledError, what a model still throttled after its own retries throws) `times` times first. */
export function throttled(task: TaskName, times: number): { fn: TaskFunction<unknown>; calls: () => number } {
  let calls = 0;
  const fn: TaskFunction<unknown> = async (event, deps: AgentDeps) => {
    if (++calls <= times)
      throw new ThrottledError("model still throttled after its retries", { cause: new Error("429"), attempts: 5 });
    return TASK_FUNCTIONS[task](event, deps);
  };
  return { fn, calls: () => calls };
}

/** A task that never answers (the executor's Task timeout must end it). */
export const hanging: TaskFunction<unknown> = () => new Promise(() => {});

/** Runs `work` as the application database role, as the deployed functions connect. */
export async function asAppRole<T>(db: Db, work: () => Promise<T>): Promise<T> {
  await db.query("SET ROLE alex_app");
  try {
    return await work();
  } finally {
    await db.query("RESET ROLE");
  }
}
