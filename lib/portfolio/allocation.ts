import type { Allocation } from "./types.js";

/** How far an allocation's sum may stray from 100 before it is refused. */
export const ALLOCATION_TOLERANCE = 0.01;

export class AllocationSumError extends Error {
  override name = "AllocationSumError";
}

/**
 * Checks that an allocation sums to 100 (± 0.01), drops zero keys and rounds the rest to two decimals by largest
 * remainder so they sum to exactly 100.00. An empty allocation stays empty (not classified yet). Throws
 * `AllocationSumError` naming the symbol and the dimension.
 */
export function normaliseAllocation(symbol: string, dimension: string, allocation: Allocation): Allocation {
  const entries = Object.entries(allocation).filter((entry): entry is [string, number] => (entry[1] ?? 0) > 0);
  if (entries.length === 0) return {};
  const total = entries.reduce((sum, [, v]) => sum + v, 0);
  if (Math.abs(total - 100) > ALLOCATION_TOLERANCE) {
    throw new AllocationSumError(`${symbol}: ${dimension} sums to ${round(total, 4)}, not 100`);
  }
  const hundredths = largestRemainder(
    entries.map(([, v]) => (v * 10_000) / total),
    10_000,
  );
  return Object.fromEntries(entries.map(([key], i) => [key, hundredths[i] / 100]));
}

/**
 * Integers proportional to `shares` that add up to exactly `total` (Hamilton's largest-remainder method): each gets
 * its floor, then the largest fractional parts get one more; ties go to the earlier entry.
 */
export function largestRemainder(shares: readonly number[], total: number): number[] {
  const scale = shares.reduce((a, b) => a + b, 0);
  if (scale <= 0) return shares.map(() => 0);
  const exact = shares.map((share) => (share * total) / scale);
  const floors = exact.map((value) => Math.floor(value + 1e-9));
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((value, i) => [value - floors[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i] += 1;
    left -= 1;
  }
  return floors;
}

/**
 * Percentages of a whole breakdown, with `digits` decimals, that add up to exactly 100 as shown (largest remainder):
 * what a report, a chart or a page lists for one breakdown. All zeros when nothing is positive.
 */
export function percentShares(amounts: readonly number[], digits = 1): number[] {
  const scale = 10 ** digits;
  return largestRemainder(
    amounts.map((amount) => Math.max(0, amount)),
    100 * scale,
  ).map((units) => units / scale);
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
