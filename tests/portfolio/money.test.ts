import { describe, expect, it } from "vitest";
import { cents, fromCents, lineValueCents, percentOf, toCents } from "../../lib/portfolio/money.js";

describe("toCents", () => {
  it.each([
    [0, 0],
    [0.004, 0],
    [0.005, 1],
    [1.005, 101],
    [2.675, 268],
    [0.1 + 0.2, 30],
    [19.99, 1999],
    [1_234_567.89, 123_456_789],
    [999_999_999.995, 100_000_000_000],
  ])("rounds $%d half-up to %d cents", (amount, expected) => {
    expect(toCents(amount)).toBe(expected);
  });

  it.each([
    [-0.004, 0],
    [-0.005, -1],
    [-1.005, -101],
    [-2.675, -268],
    [-19.99, -1999],
    [-1_234_567.89, -123_456_789],
  ])("rounds a negative $%d half away from zero to %d cents", (amount, expected) => {
    expect(toCents(amount)).toBe(expected);
    expect(toCents(amount)).toBe(-toCents(-amount) || 0);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("refuses %d, naming it", (amount) => {
    expect(() => toCents(amount)).toThrow(RangeError);
    expect(() => toCents(amount)).toThrow(`not a finite amount: ${amount}`);
  });
});

describe("lineValueCents", () => {
  it("multiplies exactly before rounding once", () => {
    expect(lineValueCents(123.5, 42.15)).toBe(520553);
    expect(lineValueCents(3, 0.1)).toBe(30);
    expect(lineValueCents(0.00000001, 1234.5678)).toBe(0);
    expect(lineValueCents(0.5, 0.01)).toBe(1);
    expect(lineValueCents(0.49999999, 0.01)).toBe(0);
    expect(lineValueCents(12_345.6789, 9_999.9999)).toBe(12_345_678_777);
  });

  it("gives 0 for a zero quantity or a zero price", () => {
    expect(lineValueCents(0, 42.15)).toBe(0);
    expect(lineValueCents(100, 0)).toBe(0);
  });

  it("values a short position (negative quantity) as the negative of the long one", () => {
    expect(lineValueCents(-123.5, 42.15)).toBe(-520553);
    expect(lineValueCents(-0.5, 0.01)).toBe(-1);
    expect(lineValueCents(-10, 1.005)).toBe(-1005);
    expect(lineValueCents(10, -1.005)).toBe(-1005);
    expect(lineValueCents(-10, -1.005)).toBe(1005);
  });

  it("refuses a quantity or price that is not a number", () => {
    expect(() => lineValueCents(Number.NaN, 1)).toThrow(/not a finite amount: NaN/);
    expect(() => lineValueCents(1, Number.POSITIVE_INFINITY)).toThrow(/not a finite amount: Infinity/);
  });
});

describe("cents and fromCents", () => {
  it("turns cents into dollars", () => {
    expect(fromCents(520553)).toBe(5205.53);
    expect(fromCents(-101)).toBe(-1.01);
    expect(fromCents(0)).toBe(0);
  });

  it("rounds an amount to the cent half-up, negatives half away from zero", () => {
    expect(cents(1.005)).toBe(1.01);
    expect(cents(1.004)).toBe(1);
    expect(cents(-1.005)).toBe(-1.01);
    expect(cents(-1.004)).toBe(-1);
    expect(cents(99.999)).toBe(100);
  });
});

describe("percentOf", () => {
  it("gives the unrounded share in percent", () => {
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(1, 3)).toBe((1 / 3) * 100);
    expect(percentOf(150, 100)).toBe(150);
  });

  it("gives 0 of a zero whole, and a negative share of a negative part", () => {
    expect(percentOf(5, 0)).toBe(0);
    expect(percentOf(0, 0)).toBe(0);
    expect(percentOf(-25, 100)).toBe(-25);
    expect(percentOf(0, 100)).toBe(0);
  });
});
