import { Code } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import { describe, expect, it } from "vitest";
import { failure, runTool } from "../../../test/support/run-tool.js";
import { validateJsonTool } from "./validate-json.js";

const tool = validateJsonTool({ maxJsonLength: 10_000, maxSchemaLength: 2000, maxDepth: 10, maxErrors: 3 });
const run = async (args: Record<string, unknown>) => (await runTool(tool, args as never)).value;

const schema = {
  type: "object",
  properties: { a: { type: "integer", minimum: 3 }, b: { type: "array", items: { type: "string" } } },
  required: ["a"],
  additionalProperties: false,
};

describe("validate_json", () => {
  it("accepts valid JSON without a schema", async () => {
    expect(await run({ json_string: '{"a": [1, 2, {"b": null}]}' })).toEqual({ valid: true, errors: [] });
  });

  it("reports JSON that does not parse as one error, not a failure", async () => {
    const result = (await run({ json_string: '{"a": 1,' })) as { valid: boolean; errors: { path: string; message: string }[] };
    expect(result.valid).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ path: "" });
    expect(result.errors[0].message).toMatch(/^not valid JSON: /);
  });

  it("validates against a schema and names each innermost problem by JSON pointer", async () => {
    expect(await run({ json_string: '{"a": 5, "b": ["x"]}', schema })).toEqual({ valid: true, errors: [] });
    expect(await run({ json_string: '{"a": 1, "b": ["x", 2], "c": true}', schema })).toEqual({
      valid: false,
      errors: [
        { path: "/a", message: "1 is less than 3." },
        { path: "/b/1", message: 'Instance type "number" is invalid. Expected "string".' },
        { path: "/c", message: 'unexpected property "c"' },
      ],
    });
  });

  it("reports a missing required property at the object that lacks it", async () => {
    expect(await run({ json_string: "{}", schema })).toEqual({
      valid: false,
      errors: [{ path: "", message: 'Instance does not have required property "a".' }],
    });
  });

  it("takes the schema as JSON text too, and honours its $schema draft", async () => {
    const draft4 = { $schema: "http://json-schema.org/draft-04/schema#", type: "number", maximum: 3, exclusiveMaximum: true };
    expect(await run({ json_string: "3", schema: JSON.stringify(draft4) })).toMatchObject({ valid: false });
    expect(await run({ json_string: "2", schema: JSON.stringify(draft4) })).toMatchObject({ valid: true });
  });

  it("caps the errors reported", async () => {
    const many = { type: "array", items: { type: "string" } };
    const result = (await run({ json_string: "[1, 2, 3, 4, 5]", schema: many })) as { errors: unknown[] };
    expect(result.errors).toHaveLength(3);
  });

  it("refuses text over the size limit and a document nested too deep with INVALID_ARGUMENT", async () => {
    const long = await failure(run({ json_string: `"${"x".repeat(10_000)}"` }));
    expect(long.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(long).field).toBe("/json_string");
    const deep = await failure(run({ json_string: `${"[".repeat(11)}${"]".repeat(11)}` }));
    expect(deep.code).toBe(Code.InvalidArgument);
    expect(deep.rawMessage).toBe("json_string nests deeper than 10 levels");
    expect(await run({ json_string: `${"[".repeat(10)}${"]".repeat(10)}` })).toMatchObject({ valid: true });
  });

  it("refuses a schema it cannot use with INVALID_ARGUMENT on /schema", async () => {
    for (const bad of ["{not json", "[1]", "x".repeat(2001), { $ref: "https://example.com/schema.json" }]) {
      const error = await failure(run({ json_string: "1", schema: bad }));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(errorInfoOf(error)).toMatchObject({ field: "/schema", tool: "validate_json" });
    }
    const endless = await failure(run({ json_string: "1", schema: { $ref: "#" } }));
    expect(endless.rawMessage).toBe("the schema cannot be used: it refers to itself without end");
  });
});
