import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { resolveLimits } from "./limits.js";
import { planCommit, type VariableDeclaration } from "./plan-commit.js";
import type { VariableCommit } from "./variable.js";

const limits = resolveLimits();

function plan(commit: VariableCommit, stored: Record<string, VariableDeclaration> = {}, overrides = {}) {
  return planCommit(commit, (name) => stored[name], { ...limits, ...overrides });
}

function failure(run: () => unknown): ConnectError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConnectError) return err;
    throw err;
  }
  throw new Error("expected a ConnectError");
}

describe("planCommit", () => {
  it("rejects a value that does not match the declared type, naming variable and value", () => {
    const err = failure(() => plan({ writes: [{ name: "threshold", value: 0.5 }] }, { threshold: { type: "integer" } }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("variable 'threshold' is declared integer; got 0.5");
  });

  it("enforces every type", () => {
    const cases: [string, unknown][] = [
      ["string", 1],
      ["integer", "1"],
      ["integer", 2 ** 60],
      ["float", Number.NaN],
      ["boolean", 0],
      ["object", [1]],
      ["object", null],
      ["array", {}],
      ["bytes", "AAEC"],
      ["string", new Uint8Array([1])],
    ];
    for (const [type, value] of cases) {
      const err = failure(() => plan({ writes: [{ name: "v", type: type as never, value: value as never }] }));
      expect(err.code, `${type} <- ${String(value)}`).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toContain(`declared ${type}`);
    }
  });

  it("accepts a value of each type and encodes it", () => {
    const { writes } = plan({
      writes: [
        { name: "s", type: "string", value: "héllo" },
        { name: "i", type: "integer", value: -3 },
        { name: "f", type: "float", value: 2 },
        { name: "b", type: "boolean", value: false },
        { name: "o", type: "object", value: { a: [1, null] } },
        { name: "a", type: "array", value: [] },
        { name: "y", type: "bytes", value: new Uint8Array([0, 255]) },
      ],
    });
    expect(writes.map((w) => w.valueText)).toEqual(['"héllo"', "-3", "2", "false", '{"a":[1,null]}', "[]", '"AP8="']);
  });

  it("requires a type to create a variable and takes the stored one after", () => {
    expect(failure(() => plan({ writes: [{ name: "n", value: 1 }] })).rawMessage).toBe(
      "variable 'n' does not exist yet; give its type to create it",
    );
    const [write] = plan({ writes: [{ name: "n", value: 1 }] }, { n: { type: "float" } }).writes;
    expect(write).toMatchObject({ type: "float", typeGiven: false });
  });

  it("refuses to change a declared type with FAILED_PRECONDITION", () => {
    const err = failure(() => plan({ writes: [{ name: "n", type: "string", value: "1" }] }, { n: { type: "integer" } }));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toContain("declared integer and cannot become string");
  });

  it("checks values against the stored constraints unless the write replaces them", () => {
    const stored = { n: { type: "integer" as const, constraints: { min: 0, max: 10 } } };
    expect(failure(() => plan({ writes: [{ name: "n", value: 11 }] }, stored)).rawMessage).toBe(
      "variable 'n' must be at most 10; got 11",
    );
    const [write] = plan({ writes: [{ name: "n", value: 11, constraints: { max: 20 } }] }, stored).writes;
    expect(write).toMatchObject({ constraints: { max: 20 }, constraintsGiven: true });
    const [cleared] = plan({ writes: [{ name: "n", value: 99, constraints: {} }] }, stored).writes;
    expect(cleared.constraints).toBeUndefined();
  });

  it("enforces allowed values and max length", () => {
    const allowed = { writes: [{ name: "mode", type: "string" as const, value: "slow", constraints: { allowed: ["fast", "safe"] } }] };
    expect(failure(() => plan(allowed)).rawMessage).toBe('variable \'mode\' must be one of "fast", "safe"; got a string ("slow")');
    const long = { writes: [{ name: "s", type: "string" as const, value: "😀😀😀", constraints: { maxLength: 2 } }] };
    expect(failure(() => plan(long)).rawMessage).toBe("variable 's' must be at most 2 characters long; got 3");
    const bytes = { writes: [{ name: "y", type: "bytes" as const, value: new Uint8Array(3), constraints: { maxLength: 3 } }] };
    expect(plan(bytes).writes).toHaveLength(1);
    const objects = { writes: [{ name: "o", type: "object" as const, value: { b: 1, a: 2 }, constraints: { allowed: [{ a: 2, b: 1 }] } }] };
    expect(plan(objects).writes).toHaveLength(1);
  });

  it("rejects constraints that cannot apply to the type", () => {
    const cases = [
      { type: "string", constraints: { min: 1 } },
      { type: "integer", constraints: { maxLength: 3 } },
      { type: "integer", constraints: { min: 5, max: 1 } },
      { type: "integer", constraints: { allowed: [1, "two"] } },
      { type: "bytes", constraints: { allowed: ["AA=="] } },
      { type: "float", constraints: { max: Number.POSITIVE_INFINITY } },
    ];
    for (const { type, constraints } of cases) {
      const err = failure(() => plan({ writes: [{ name: "c", type: type as never, value: 1, constraints }] }));
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toMatch(/^variable 'c' (has invalid constraints|is declared)/);
    }
  });

  it("bounds value size and depth with RESOURCE_EXHAUSTED", () => {
    const big = failure(() => plan({ writes: [{ name: "s", type: "string", value: "x".repeat(100) }] }, {}, { maxValueBytes: 50 }));
    expect(big.code).toBe(Code.ResourceExhausted);
    expect(big.rawMessage).toBe("variable 's' is too large: 102 bytes; the limit is 50");
    let deep: unknown = 1;
    for (let i = 0; i < 5; i++) deep = [deep];
    const err = failure(() => plan({ writes: [{ name: "d", type: "array", value: deep as never }] }, {}, { maxValueDepth: 3 }));
    expect(err.code).toBe(Code.ResourceExhausted);
    const total = failure(() =>
      plan({ writes: [1, 2, 3].map((i) => ({ name: `v${i}`, type: "string" as const, value: "x".repeat(40) })) }, {}, { maxCommitBytes: 100 }),
    );
    expect(total.code).toBe(Code.ResourceExhausted);
  });

  it("refuses values that are not plain JSON", () => {
    const err = failure(() => plan({ writes: [{ name: "o", type: "object", value: { when: new Date() } as never }] }));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toContain("at /when, which is not JSON");
  });

  it("rejects bad names, duplicates and bad versions", () => {
    expect(failure(() => plan({ writes: [{ name: "", type: "string", value: "" }] })).code).toBe(Code.InvalidArgument);
    expect(failure(() => plan({ writes: [{ name: "a b", type: "string", value: "" }] })).rawMessage).toContain('"a b" is not a valid name');
    expect(failure(() => plan({ writes: [{ name: "x".repeat(5), type: "string", value: "" }] }, {}, { maxNameLength: 4 })).code).toBe(
      Code.InvalidArgument,
    );
    const dup = failure(() => plan({ writes: [{ name: "a", type: "string", value: "" }], deletes: [{ name: "a" }] }));
    expect(dup.rawMessage).toBe("variable 'a' appears more than once in one update");
    expect(failure(() => plan({ deletes: [{ name: "a", expectedVersion: -1 }] })).code).toBe(Code.InvalidArgument);
    expect(failure(() => plan({ writes: [{ name: "a", type: "string", value: undefined }] })).rawMessage).toBe(
      "variable 'a': the write has no value",
    );
  });

  it("bounds the items of one commit", () => {
    const deletes = Array.from({ length: 3 }, (_, i) => ({ name: `v${i}` }));
    expect(failure(() => plan({ deletes }, {}, { maxItemsPerCommit: 2 })).code).toBe(Code.ResourceExhausted);
  });

  it("normalizes metadata and bounds it", () => {
    const [write] = plan({ writes: [{ name: "m", type: "string", value: "", metadata: { tags: ["a"], createdBy: "" } }] }).writes;
    expect(write).toMatchObject({ metadata: { tags: ["a"] }, metadataGiven: true });
    const err = failure(() => plan({ writes: [{ name: "m", type: "string", value: "", metadata: { tags: ["a", "b"] } }] }, {}, { maxTags: 1 }));
    expect(err.rawMessage).toBe("variable 'm' has invalid metadata: 2 tags; at most 1");
  });
});
