import { describe, expect, it } from "vitest";
import { checkJson, NotJsonError } from "./json-shape.js";

describe("checkJson", () => {
  it("accepts JSON values and measures them", () => {
    expect(checkJson({ a: [1, "x", true, null, { b: 2.5 }] }, 1000)).toBeGreaterThan(10);
    expect(checkJson({ dropped: undefined }, 1000)).toBe(2);
  });

  it.each([
    [{ when: new Date(0) }, /\/when is a Date instance/],
    [{ m: new Map() }, /\/m is a Map instance/],
    [[1, undefined], /\/1 is undefined/],
    [{ n: Number.NaN }, /\/n is NaN/],
    [{ f: () => 1 }, /\/f is a function/],
    [{ big: 1n }, /\/big is a bigint/],
    [{ b: new Uint8Array(1) }, /\/b is bytes \(return them as a ToolResult payload instead\)/],
  ])("refuses what JSON cannot hold, saying where (%#)", (value, message) => {
    expect(() => checkJson(value, 1000)).toThrow(message);
  });

  it("refuses a value over the limit as too large", () => {
    try {
      checkJson("x".repeat(100), 50);
      throw new Error("expected a refusal");
    } catch (e) {
      expect(e).toBeInstanceOf(NotJsonError);
      expect((e as NotJsonError).tooLarge).toBe(true);
    }
  });

  it("refuses JSON nested past the depth limit", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = [deep];
    expect(() => checkJson(deep, 1e9)).toThrow(/nests deeper than/);
  });
});
