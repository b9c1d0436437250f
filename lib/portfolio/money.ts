/**
 * Exact money: amounts are summed as integer cents; a price × quantity product is computed exactly in BigInt from
 * the decimal digits the database holds (price DECIMAL(12,4), quantity DECIMAL(20,8)) and rounded half-up once.
 */

/** USD amount → integer cents, half-up (from its shortest decimal form, so 1.005 → 101). */
export function toCents(amount: number): number {
  return Number(roundScaled(scaled(amount, 8), 8 - 2));
}

export const fromCents = (cents: number) => cents / 100;

/** quantity × price in integer cents, exact before one half-up rounding (123.5 × 42.15 = 5205.525 → 520553). */
export function lineValueCents(quantity: number, price: number): number {
  return Number(roundScaled(scaled(quantity, 8) * scaled(price, 8), 16 - 2));
}

/** Rounds a USD amount to the cent, half-up. */
export const cents = (amount: number) => fromCents(toCents(amount));

/** `value` × 10^digits as a BigInt, from the number's decimal digits (rounded at `digits`). */
function scaled(value: number, digits: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  const negative = value < 0;
  const [whole, fraction = ""] = Math.abs(value).toFixed(digits).split(".");
  const result = BigInt(whole) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
  return negative ? -result : result;
}

/** Divides by 10^digits, rounding half away from zero. */
function roundScaled(value: bigint, digits: number): bigint {
  const unit = 10n ** BigInt(digits);
  const half = unit / 2n;
  return value >= 0n ? (value + half) / unit : -((-value + half) / unit);
}

/** part / whole in percent, unrounded (rounded once, where shown); 0 when the whole is 0. */
export const percentOf = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100);
