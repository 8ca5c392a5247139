import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { codeFromName, codeToName } from "./code-name.js";
import { errorFromInfo, errorInfoOf, toolError } from "./error-info.js";
import { fromValue, toValue } from "./json-value.js";

describe("code names", () => {
  it("round-trips every code through its snake-case name", () => {
    for (let code = Code.Canceled; code <= Code.Unauthenticated; code++) {
      expect(codeFromName(codeToName(code))).toBe(code);
    }
    expect(codeToName(Code.InvalidArgument)).toBe("invalid_argument");
  });

  it("reads an unknown name as Unknown", () => {
    expect(codeFromName("no_such_code")).toBe(Code.Unknown);
  });
});

describe("toolError", () => {
  it("carries type, traceback and field in an ErrorInfo detail", () => {
    const err = toolError(Code.Internal, "boom", { type: "ValueError", traceback: "Traceback ...", tool: "fail" });
    expect(err.code).toBe(Code.Internal);
    const info = errorInfoOf(err);
    expect(info).toMatchObject({ code: "internal", message: "boom", type: "ValueError", traceback: "Traceback ...", tool: "fail" });
  });

  it("describes a plain ConnectError by its code and message", () => {
    const info = errorInfoOf(new ConnectError("gone", Code.Unavailable));
    expect(info).toMatchObject({ code: "unavailable", message: "gone", type: "" });
  });

  it("turns an ErrorInfo back into the same error", () => {
    const err = errorFromInfo(errorInfoOf(toolError(Code.NotFound, "no tool", { field: "/tool" })));
    expect(err.code).toBe(Code.NotFound);
    expect(errorInfoOf(err).field).toBe("/tool");
  });
});

describe("json values", () => {
  it("round-trips JSON through google.protobuf.Value", () => {
    const json = { a: [1, "two", true, null, { b: 2.5 }] };
    expect(fromValue(toValue(json))).toEqual(json);
    expect(fromValue(undefined)).toBeNull();
  });
});
