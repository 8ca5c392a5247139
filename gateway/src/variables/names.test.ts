import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { resolveLimits } from "./limits.js";
import { checkId, checkVariableName } from "./names.js";

describe("names", () => {
  it("accepts plain variable names with separators", () => {
    for (const name of ["threshold", "_x", "config.max-depth", "user/42:score", "9lives"]) {
      expect(() => checkVariableName(name, resolveLimits())).not.toThrow();
    }
  });

  it("rejects empty, long and odd variable names with INVALID_ARGUMENT", () => {
    for (const name of ["", ".hidden", "a b", "a{b}", "é", "x".repeat(129)]) {
      const err = (() => {
        try {
          checkVariableName(name, resolveLimits());
        } catch (e) {
          return e as ConnectError;
        }
      })();
      expect(err?.code, name).toBe(Code.InvalidArgument);
    }
  });

  it("keeps braces and slashes out of session ids", () => {
    expect(() => checkId("session", "sess-1.a:b")).not.toThrow();
    expect(() => checkId("session", "a{b}")).toThrow(/session "a\{b\}" is not a valid name/);
    expect(() => checkId("runtime", "a/b")).toThrow(ConnectError);
  });
});
