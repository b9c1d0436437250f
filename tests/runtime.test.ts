import { expect, it } from "vitest";

it("runs on the Node 22 the project pins, whatever the system Node is", () => {
  expect(process.version).toMatch(/^v22\./);
});
