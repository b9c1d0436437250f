import { describe, expect, it } from "vitest";
import {
  ALLOCATION_TOLERANCE,
  AllocationSumError,
  largestRemainder,
  normaliseAllocation,
} from "../../lib/portfolio/allocation.js";

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe("largestRemainder", () => {
  it("splits a whole in proportion, adding up to it exactly", () => {
    expect(largestRemainder([2, 1], 100)).toEqual([67, 33]);
    expect(largestRemainder([0.1, 0.2, 0.7], 10)).toEqual([1, 2, 7]);
    expect(largestRemainder([1, 1, 1], 100)).toEqual([34, 33, 33]);
    expect(sum(largestRemainder([33.33, 33.34, 33.33], 12_345))).toBe(12_345);
  });

  it("gives the units left over to the largest fractions, ties to the earlier entry", () => {
    expect(largestRemainder([2, 3], 1)).toEqual([0, 1]);
    expect(largestRemainder([3, 2], 1)).toEqual([1, 0]);
    expect(largestRemainder([3, 1], 2)).toEqual([2, 0]);
    expect(largestRemainder([1, 8, 1], 5)).toEqual([1, 4, 0]);
    expect(largestRemainder([1, 1, 1], 1)).toEqual([1, 0, 0]);
    expect(largestRemainder([1, 1, 1, 1, 1], 2)).toEqual([1, 1, 0, 0, 0]);
  });

  it("gives zeros when there is nothing to split or no shares", () => {
    expect(largestRemainder([1, 2, 3], 0)).toEqual([0, 0, 0]);
    expect(largestRemainder([0, 0], 10)).toEqual([0, 0]);
    expect(largestRemainder([], 10)).toEqual([]);
  });

  it("splits a negative whole (a short position's value), still adding up to it", () => {
    expect(largestRemainder([1, 1], -3)).toEqual([-1, -2]);
    expect(largestRemainder([60, 40], -80_000)).toEqual([-48_000, -32_000]);
  });
});

describe("normaliseAllocation", () => {
  it("leaves an allocation that sums to 100 as it is, dropping zero keys", () => {
    expect(normaliseAllocation("SPY", "allocation_asset_class", { equity: 99.5, cash: 0.5, commodities: 0 })).toEqual({
      equity: 99.5,
      cash: 0.5,
    });
  });

  it("keeps an empty allocation empty (not classified yet)", () => {
    expect(normaliseAllocation("NEWX", "allocation_regions", {})).toEqual({});
    expect(normaliseAllocation("NEWX", "allocation_regions", { europe: 0 })).toEqual({});
  });

  it(`scales a sum within ${ALLOCATION_TOLERANCE} of 100 to exactly 100`, () => {
    const over = normaliseAllocation("BAL", "allocation_asset_class", { equity: 60.004, fixed_income: 40.005 });
    expect(over).toEqual({ equity: 60, fixed_income: 40 });
    const under = normaliseAllocation("BAL", "allocation_asset_class", { equity: 59.995, fixed_income: 39.996 });
    expect(sum(Object.values(under) as number[])).toBeCloseTo(100, 10);
  });

  it.each([
    [{ equity: 60, fixed_income: 40.02 }, "sums to 100.02"],
    [{ equity: 59.98, fixed_income: 40 }, "sums to 99.98"],
    [{ equity: 33.33333, fixed_income: 33.33333 }, "sums to 66.6667"],
  ])("refuses %o, saying what it sums to", (allocation, sumText) => {
    const run = () => normaliseAllocation("FUND", "allocation_sectors", allocation);
    expect(run).toThrow(AllocationSumError);
    expect(run).toThrow(`FUND: allocation_sectors ${sumText}, not 100`);
    expect(run).toThrow(expect.objectContaining({ name: "AllocationSumError" }));
  });
});
