import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { decodePageToken, encodePageToken, pageSizeOf } from "./page-token.js";
import { decodeApiKey, decodeStoredVariable, decodeVariable, encodeApiKey, encodeVariable, readDeclaration } from "./record-codec.js";

describe("record formats", () => {
  it("stores a variable as four lines of compact JSON and reads it back", () => {
    const variable = {
      name: "v",
      type: "float" as const,
      value: 0.1,
      constraints: { min: 0, allowed: [0.1, 0.2] },
      metadata: { tags: ["a"] },
      version: 3,
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_500,
    };
    const text = encodeVariable(variable);
    expect(text).toBe('[1,"float",3,1700000000000,1700000000500]\n{"min":0,"allowed":[0.1,0.2]}\n{"tags":["a"]}\n0.1');
    expect(decodeVariable("v", text)).toEqual(variable);
    expect(readDeclaration(text)).toEqual({ type: "float", constraints: variable.constraints, constraintsText: '{"min":0,"allowed":[0.1,0.2]}' });
  });

  it("keeps bytes as base64 and values with newlines intact", () => {
    const bytes = { name: "b", type: "bytes" as const, value: new Uint8Array([0, 10, 255]), version: 1, createdAt: 1, updatedAt: 1 };
    expect(decodeVariable("b", encodeVariable(bytes)).value).toEqual(new Uint8Array([0, 10, 255]));
    const text = { name: "t", type: "string" as const, value: "line\nbreak", version: 1, createdAt: 1, updatedAt: 1 };
    expect(decodeStoredVariable("t", encodeVariable(text)).variable.value).toBe("line\nbreak");
  });

  it("refuses a record format it does not know with DATA_LOSS", () => {
    for (const text of ['[2,"string",1,1,1]\nnull\nnull\n"x"', "garbage", "{\n\n\n", '[1,"decimal",1,1,1]\nnull\nnull\n1']) {
      const err = (() => {
        try {
          decodeVariable("v", text);
        } catch (e) {
          return e;
        }
      })();
      expect(err, text).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.DataLoss);
    }
    expect(() => decodeApiKey('{"f":2,"org":"o","tools":"all"}')).toThrow(/cannot be read/);
    expect(decodeApiKey(encodeApiKey({ orgId: "o", allowedTools: ["t"] }))).toEqual({ orgId: "o", allowedTools: ["t"] });
  });
});

describe("page tokens", () => {
  it("round-trips the last id and refuses forged tokens", () => {
    expect(decodePageToken(encodePageToken("sess-1.a:b"))).toBe("sess-1.a:b");
    expect(decodePageToken(undefined)).toBe("");
    for (const token of ["sess-1", "s1.!!!", `s1.${btoa("a b")}`]) {
      expect(() => decodePageToken(token)).toThrow(/page_token is not one this server issued/);
    }
  });

  it("defaults and caps page sizes", () => {
    expect([pageSizeOf(undefined), pageSizeOf(0), pageSizeOf(5), pageSizeOf(5000)]).toEqual([100, 100, 5, 1000]);
  });
});
