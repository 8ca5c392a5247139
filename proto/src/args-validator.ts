import { type OutputUnit, type Schema, Validator } from "@cfworker/json-schema";
import { Code, type ConnectError } from "@connectrpc/connect";
import { toolError } from "./error-info.js";

/** Checks a tool's keyword arguments; returns the INVALID_ARGUMENT error, or undefined when they are valid. */
export type ArgsValidator = (args: unknown) => ConnectError | undefined;

/**
 * An ArgsValidator for a JSON Schema (draft 2020-12), compiled once so that each call only walks the arguments.
 * The error names the offending argument as a JSON pointer in its ErrorInfo `field` ("/text").
 */
export function createArgsValidator(schema: unknown, tool = ""): ArgsValidator {
  if (schema === undefined || schema === null || (typeof schema === "object" && Object.keys(schema).length === 0)) {
    return acceptObject(tool);
  }
  const validator = new Validator(schema as Schema, "2020-12", true);
  return (args) => {
    const result = validator.validate(args);
    if (result.valid) return undefined;
    const { field, message } = describe(result.errors);
    return toolError(Code.InvalidArgument, `invalid arguments for tool "${tool}": ${message}`, {
      type: "InvalidArguments",
      field,
      tool,
    });
  };
}

// Without a schema any object is accepted: keyword arguments are always an object.
function acceptObject(tool: string): ArgsValidator {
  return (args) =>
    typeof args === "object" && args !== null && !Array.isArray(args)
      ? undefined
      : toolError(Code.InvalidArgument, `invalid arguments for tool "${tool}": arguments must be an object`, {
          type: "InvalidArguments",
          tool,
        });
}

// With short-circuiting the validator reports a chain from the root down to the failing leaf; the
// leaf is the error a person can act on, and its parent tells an unexpected property apart.
function describe(errors: OutputUnit[]): { field: string; message: string } {
  const leaf = errors[errors.length - 1];
  if (leaf === undefined) return { field: "", message: "arguments do not match the schema" };
  const location = pointer(leaf.instanceLocation);
  if (leaf.keyword === "required") {
    const name = /"(.*)"/.exec(leaf.error)?.[1] ?? "";
    return { field: `${location}/${escape(name)}`, message: `missing required argument "${name}"` };
  }
  const parent = errors[errors.length - 2];
  if (leaf.keyword === "false" && parent?.keyword === "additionalProperties") {
    return { field: location, message: `unexpected argument "${unescape(location.slice(location.lastIndexOf("/") + 1))}"` };
  }
  return { field: location, message: `${location || "arguments"}: ${leaf.error}` };
}

// "#/a/0" -> "/a/0"; the validator writes instance locations as URI fragments.
function pointer(instanceLocation: string): string {
  const raw = instanceLocation.startsWith("#") ? instanceLocation.slice(1) : instanceLocation;
  return raw.includes("%") ? decodeURIComponent(raw) : raw;
}

function escape(name: string): string {
  return name.replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescape(token: string): string {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}
