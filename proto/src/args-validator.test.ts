import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { createArgsValidator } from "./args-validator.js";
import { errorInfoOf } from "./error-info.js";

const schema = {
  type: "object",
  properties: {
    text: { type: "string" },
    n: { type: "integer", minimum: 1 },
    opts: { type: "object", properties: { "a/b": { type: "array", items: { type: "number" } } } },
  },
  required: ["text"],
  additionalProperties: false,
};

describe("createArgsValidator", () => {
  const validate = createArgsValidator(schema, "demo");

  it("accepts arguments that match the schema", () => {
    expect(validate({ text: "hi", n: 2 })).toBeUndefined();
  });

  it("names a missing required argument", () => {
    const err = validate({});
    expect(err?.code).toBe(Code.InvalidArgument);
    expect(err?.rawMessage).toContain('missing required argument "text"');
    expect(errorInfoOf(err)).toMatchObject({ field: "/text", tool: "demo", type: "InvalidArguments" });
  });

  it("names an argument of the wrong type", () => {
    const err = validate({ text: 1 });
    expect(errorInfoOf(err).field).toBe("/text");
    expect(err?.rawMessage).toContain("Expected \"string\"");
  });

  it("names an unexpected argument", () => {
    const err = validate({ text: "x", extra: 1 });
    expect(errorInfoOf(err).field).toBe("/extra");
    expect(err?.rawMessage).toContain('unexpected argument "extra"');
  });

  it("points into nested arguments with escaped tokens", () => {
    const err = validate({ text: "x", opts: { "a/b": [1, "no"] } });
    expect(errorInfoOf(err).field).toBe("/opts/a~1b/1");
  });

  it("accepts any object when the tool has no schema, and nothing else", () => {
    const loose = createArgsValidator(undefined, "loose");
    expect(loose({ anything: [1] })).toBeUndefined();
    expect(loose([1])?.code).toBe(Code.InvalidArgument);
  });
});
