import { fromJson, toJson } from "@bufbuild/protobuf";
import { ValueSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { fromValue, maxJsonDepth, toValue } from "./json-value.js";

const sample = { s: "x", n: -1.5, b: false, z: null, list: [1, "two", [true], { deep: { er: [] } }], empty: {} };

describe("json values", () => {
  it("builds the same messages as protobuf reflection", () => {
    expect(toValue(sample)).toEqual(fromJson(ValueSchema, sample));
  });

  it("reads messages built by protobuf reflection", () => {
    expect(fromValue(fromJson(ValueSchema, sample))).toEqual(sample);
    expect(fromValue(fromJson(ValueSchema, sample))).toEqual(toJson(ValueSchema, fromJson(ValueSchema, sample)));
  });

  it("reads an unset value as null", () => {
    expect(fromValue(undefined)).toBeNull();
  });

  it("keeps a member named __proto__ as a member", () => {
    const json = JSON.parse('{"__proto__": {"polluted": true}}');
    const back = fromValue(toValue(json)) as object;
    expect(Object.keys(back)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  it("refuses JSON nested deeper than the limit", () => {
    let deep: unknown = 1;
    for (let i = 0; i < maxJsonDepth + 1; i++) deep = [deep];
    let error: unknown;
    try {
      toValue(deep as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
  });
});
