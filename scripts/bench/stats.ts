/** Minimum and median of one run's repetitions. */
export interface Sample {
  min: number;
  median: number;
  runs: number;
}

export function sample(values: number[]): Sample {
  if (values.length === 0) throw new Error("sample: no values");
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, runs: sorted.length };
}

/** Runs `once` `runs` times after `warmups` untimed runs; returns what each timed run returned. */
export async function repeat<T>(runs: number, once: (i: number) => Promise<T> | T, warmups = 0): Promise<T[]> {
  for (let i = 0; i < warmups; i++) await once(-1 - i);
  const results: T[] = [];
  for (let i = 0; i < runs; i++) results.push(await once(i));
  return results;
}

/** Times `once` (ms) over `runs` repetitions. */
export async function timeRuns(runs: number, once: () => Promise<unknown> | unknown, warmups = 0): Promise<Sample> {
  const times = await repeat(
    runs,
    async () => {
      const start = performance.now();
      await once();
      return performance.now() - start;
    },
    warmups,
  );
  return sample(times);
}
