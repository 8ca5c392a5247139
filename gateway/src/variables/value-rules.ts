import type { JsonValue } from "@bufbuild/protobuf";
import { typeMismatch, valueTooLarge } from "./errors.js";
import type { Limits } from "./limits.js";
import type { VariableType, VariableValue } from "./variable.js";

/** A short, safe description of a value for error messages: 0.5, a string ("abc"), an object, 12 bytes. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (value instanceof Uint8Array) return `bytes (${value.length})`;
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "number":
      return String(value);
    case "boolean":
      return String(value);
    case "string":
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)})`;
    case "object":
      return "an object";
    case "undefined":
      return "no value";
    default:
      return `a ${typeof value}`;
  }
}

/** True when the value belongs to the type (integers are floats too; bytes only as Uint8Array). */
export function matchesType(type: VariableType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "integer":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "float":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "bytes":
      return value instanceof Uint8Array;
  }
}

/**
 * Throws unless `value` is a value of `type` within the size bounds: INVALID_ARGUMENT for a
 * mismatch or anything that is not plain JSON, RESOURCE_EXHAUSTED past maxValueDepth.
 */
export function checkValue(name: string, type: VariableType, value: VariableValue | undefined, limits: Pick<Limits, "maxValueDepth">): void {
  if (!matchesType(type, value)) {
    const got = type === "integer" && typeof value === "number" && Number.isInteger(value) ? `${value}, beyond the safe integer range` : describeValue(value);
    throw typeMismatch(name, type, got);
  }
  if (type === "object" || type === "array") checkJson(name, type, value, 0, "", limits.maxValueDepth);
}

function checkJson(name: string, type: VariableType, value: unknown, depth: number, path: string, maxDepth: number): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw typeMismatch(name, type, `${value} at ${path || "/"}, which JSON cannot hold`);
    return;
  }
  const container = Array.isArray(value) || isPlainObject(value);
  if (!container) throw typeMismatch(name, type, `${describeValue(value)} at ${path || "/"}, which is not JSON`);
  if (depth >= maxDepth) throw valueTooLarge(name, `it nests deeper than ${maxDepth} levels`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkJson(name, type, value[i], depth + 1, `${path}/${i}`, maxDepth);
    return;
  }
  for (const key in value as Record<string, unknown>) {
    checkJson(name, type, (value as Record<string, unknown>)[key], depth + 1, `${path}/${key}`, maxDepth);
  }
}

function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The length a `maxLength` constraint measures: characters (code points), items or bytes. */
export function lengthOf(value: VariableValue): number | undefined {
  if (typeof value === "string") {
    let count = 0;
    for (const _ of value) count++;
    return count;
  }
  if (Array.isArray(value)) return value.length;
  if (value instanceof Uint8Array) return value.length;
  return undefined;
}

/** Canonical JSON (object keys sorted), so equal values compare equal as strings. */
export function canonicalJson(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
