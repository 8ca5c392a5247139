import type { JsonValue } from "@bufbuild/protobuf";
import { type OutputUnit, type Schema, type SchemaDraft, Validator } from "@cfworker/json-schema";
import { Code } from "@connectrpc/connect";
import { defineTool, toolError, type ToolDefinition } from "@toolbridge/proto";

/** Options of validateJsonTool. */
export interface ValidateJsonOptions {
  /** Longest json_string, in characters. Default 1 MiB. */
  maxJsonLength?: number;
  /** Longest schema, as JSON text. Default 256 KiB. */
  maxSchemaLength?: number;
  /** Deepest nesting of the document. Default 128. */
  maxDepth?: number;
  /** Most errors reported. Default 100. */
  maxErrors?: number;
}

/** One problem with the document: where (a JSON pointer, "" for the whole document) and what. */
export interface JsonProblem {
  path: string;
  message: string;
}

const drafts: Record<string, SchemaDraft> = {
  "http://json-schema.org/draft-04/schema": "4",
  "http://json-schema.org/draft-07/schema": "7",
  "https://json-schema.org/draft/2019-09/schema": "2019-09",
  "https://json-schema.org/draft/2020-12/schema": "2020-12",
};

/**
 * validate_json(json_string, schema?): parses JSON text and, with a JSON Schema (an object, or its
 * JSON text), validates it with @cfworker/json-schema (draft 2020-12 unless the schema's $schema
 * names draft 4, 7 or 2019-09). Returns {valid, errors: [{path, message}]}: invalid JSON is one
 * error at the position the parser stopped. The text, the schema and the document's depth are
 * bounded; a schema that cannot be used ($ref to an unknown URI, endless recursion) is
 * INVALID_ARGUMENT on /schema.
 */
export function validateJsonTool(options: ValidateJsonOptions = {}): ToolDefinition {
  const maxJsonLength = options.maxJsonLength ?? 1024 * 1024;
  const maxSchemaLength = options.maxSchemaLength ?? 256 * 1024;
  const maxDepth = options.maxDepth ?? 128;
  const maxErrors = options.maxErrors ?? 100;
  return defineTool({
    name: "validate_json",
    description:
      "Parse a JSON document and, given a JSON Schema, validate it. Returns {valid, errors: [{path, message}]}, " +
      "path being a JSON pointer into the document. The schema may be an object or JSON text; draft 2020-12 " +
      `unless its $schema says draft 4, 7 or 2019-09; no remote $refs. At most ${maxJsonLength} characters.`,
    parameters: {
      type: "object",
      properties: {
        json_string: { type: "string", maxLength: maxJsonLength, description: "The JSON text to check." },
        schema: { type: ["object", "boolean", "string"], description: "A JSON Schema, or its JSON text." },
      },
      required: ["json_string"],
      additionalProperties: false,
    },
    result: {
      type: "object",
      properties: {
        valid: { type: "boolean" },
        errors: { type: "array", items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } } },
      },
    },
    run({ args }) {
      const text = args.json_string as string;
      const schema = schemaOf(args.schema, maxSchemaLength);
      let document: unknown;
      try {
        document = JSON.parse(text);
      } catch (err) {
        return { valid: false, errors: [{ path: "", message: `not valid JSON: ${(err as Error).message}` }] };
      }
      if (depthOf(document, maxDepth) > maxDepth) {
        throw toolError(Code.InvalidArgument, `json_string nests deeper than ${maxDepth} levels`, { field: "/json_string" });
      }
      if (schema === undefined) return { valid: true, errors: [] };
      const errors = validate(document, schema, maxErrors);
      return { valid: errors.length === 0, errors: errors as unknown as JsonValue };
    },
  });
}

function schemaOf(given: unknown, maxLength: number): Schema | boolean | undefined {
  if (given === undefined) return undefined;
  let schema = given;
  if (typeof given === "string") {
    if (given.length > maxLength) throw badSchema(`the schema is longer than ${maxLength} characters`);
    try {
      schema = JSON.parse(given);
    } catch (err) {
      throw badSchema(`the schema is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof schema !== "boolean" && (typeof schema !== "object" || schema === null || Array.isArray(schema))) {
      throw badSchema("the schema must be a JSON object or a boolean");
    }
  } else if (typeof given === "object" && JSON.stringify(given).length > maxLength) {
    throw badSchema(`the schema is longer than ${maxLength} characters as JSON`);
  }
  return schema as Schema | boolean;
}

function validate(document: unknown, schema: Schema | boolean, maxErrors: number): { path: string; message: string }[] {
  const draft = typeof schema === "object" && typeof schema.$schema === "string" ? drafts[schema.$schema.replace(/#$/, "")] : undefined;
  let units: OutputUnit[];
  try {
    units = new Validator(schema, draft ?? "2020-12", false).validate(document).errors;
  } catch (err) {
    const why = err instanceof RangeError ? "it refers to itself without end" : (err as Error).message.split("\n")[0];
    throw badSchema(`the schema cannot be used: ${why}`);
  }
  return problems(units).slice(0, maxErrors);
}

/**
 * The validator reports each failure with the chain of keywords above it ("Property "a" does not
 * match schema.", then "1 is less than 3."): keep the innermost ones, which say what to fix, and
 * name an unexpected property instead of "False boolean schema".
 */
function problems(units: OutputUnit[]): JsonProblem[] {
  const out: JsonProblem[] = [];
  for (let i = 0; i < units.length; i++) {
    const unit = units[i];
    const next = units[i + 1];
    if (next !== undefined && next.keywordLocation.startsWith(`${unit.keywordLocation}/`)) continue;
    if (unit.keyword === "additionalProperties" || unit.keyword === "unevaluatedProperties") {
      if (next?.keyword === "false") continue;
    }
    const previous = units[i - 1];
    if (unit.keyword === "false" && (previous?.keyword === "additionalProperties" || previous?.keyword === "unevaluatedProperties")) {
      const path = pointer(unit.instanceLocation);
      out.push({ path, message: `unexpected property "${unescape(path.slice(path.lastIndexOf("/") + 1))}"` });
      continue;
    }
    out.push({ path: pointer(unit.instanceLocation), message: unit.error });
  }
  return out;
}

/** How deep a parsed document nests, counting until `limit` + 1 (iteratively: a deep document must not overflow the stack). */
function depthOf(document: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[document, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function badSchema(problem: string) {
  return toolError(Code.InvalidArgument, problem, { field: "/schema" });
}

// "#/a/0" -> "/a/0"; the validator writes instance locations as URI fragments.
function pointer(instanceLocation: string): string {
  const raw = instanceLocation.startsWith("#") ? instanceLocation.slice(1) : instanceLocation;
  try {
    return raw.includes("%") ? decodeURIComponent(raw) : raw;
  } catch {
    return raw;
  }
}

function unescape(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}
