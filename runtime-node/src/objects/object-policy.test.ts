import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createObjectPolicy } from "./object-policy.js";

function refusal(run: () => void): ConnectError {
  try {
    run();
  } catch (e) {
    return ConnectError.from(e);
  }
  throw new Error("expected a refusal");
}

describe("the object policy", () => {
  const policy = createObjectPolicy(["fractions", "collections.abc."]);

  it("allows the modules under a prefix and their classes", () => {
    policy.checkModule("fractions");
    policy.checkModule("collections.abc");
    policy.checkClass("fractions.Fraction");
    policy.checkClass("collections.abc.Mapping");
  });

  it("refuses other modules, naming the flag and what it allows", () => {
    for (const run of [() => policy.checkModule("fractionsx"), () => policy.checkClass("os.DirEntry"), () => policy.checkClass("collections.Counter")]) {
      const error = refusal(run);
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.rawMessage).toMatch(/--object-module \(TOOLBRIDGE_OBJECT_MODULES\), which allows: fractions, collections\.abc$/);
    }
  });

  it("refuses private and dunder names", () => {
    expect(refusal(() => policy.checkClass("fractions._private")).code).toBe(Code.PermissionDenied);
    expect(refusal(() => policy.checkName("__class__", "method '__class__'")).rawMessage).toMatch(/is private/);
  });

  it("allows nothing by default, and says how to allow", () => {
    const error = refusal(() => createObjectPolicy([]).checkModule("fractions"));
    expect(error.rawMessage).toMatch(/allows no modules on this runtime; start it with --object-module <prefix>/);
  });
});
