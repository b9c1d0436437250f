import { describe, expect, it } from "vitest";
import { STALE_AFTER_TRADING_DAYS, stalePricesNote, tradingDaysSince } from "../../lib/market/price-age.js";

describe("price age in trading days", () => {
  const monday = new Date("2026-12-07T22:00:00Z");

  it("counts the weekday closes a price has missed, not today's open session", () => {
    expect(tradingDaysSince("2026-12-04", monday)).toBe(0); // Friday's close is the latest
    expect(tradingDaysSince("2026-12-03", monday)).toBe(1);
    expect(tradingDaysSince("2026-11-27", monday)).toBe(5); // the weekend is not counted
    expect(tradingDaysSince("2026-11-26", monday)).toBe(6);
    expect(tradingDaysSince("2026-12-07", monday)).toBe(0);
  });

  it("flags prices more than 5 trading days old, and only those", () => {
    expect(STALE_AFTER_TRADING_DAYS).toBe(5);
    expect(stalePricesNote("2026-11-27", monday)).toBeNull();
    expect(stalePricesNote("2026-11-26", monday)).toBe("prices as of 2026-11-26, 6 trading days before this valuation");
    expect(stalePricesNote(null, monday)).toBeNull();
  });
});
