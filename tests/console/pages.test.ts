import { describe, expect, it } from "vitest";
import { ago, plainWords, runningStates } from "../../console/pages.js";

describe("console pages", () => {
  it("puts validation messages in plain words", () => {
    expect(plainWords("user.display_name: Too small: expected string to have >=1 characters")).toBe(
      "user.display_name: must not be empty",
    );
    expect(plainWords("accounts[0].positions[0].quantity: Too small: expected number to be >0")).toBe(
      "accounts[0].positions[0].quantity: must be more than 0",
    );
    expect(plainWords("accounts[0].type: Invalid option: expected one of 401k|roth_ira")).toBe(
      "accounts[0].type: must be one of 401k, roth_ira",
    );
    expect(plainWords("user.current_age: Invalid input: expected number, received string")).toBe(
      "user.current_age: must be a number, not a string",
    );
  });

  it("lists every running state, Map items included", () => {
    const events = [
      { type: "StateEntered", state: "Run specialists" },
      { type: "StateEntered", state: "Write report", index: 0 },
      { type: "StateEntered", state: "Draw charts", index: 1 },
      { type: "StateExited", state: "Draw charts", index: 1 },
      { type: "StateEntered", state: "Project retirement", index: 2 },
    ];
    expect(runningStates(events)).toEqual(["Run specialists", "Write report", "Project retirement"]);
  });

  it("says when a job was made in words", () => {
    const now = new Date("2026-12-07T22:00:00Z");
    expect(ago("2026-12-07T21:59:30Z", now)).toBe("just now");
    expect(ago("2026-12-07T21:45:00Z", now)).toBe("15 min ago");
    expect(ago("2026-12-01T08:05:00Z", now)).toBe("1 December 2026, 08:05 UTC");
  });
});
