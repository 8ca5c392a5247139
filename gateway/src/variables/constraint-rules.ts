import type { JsonValue } from "@bufbuild/protobuf";
import { constraintViolated, invalidConstraints } from "./errors.js";
import type { Limits } from "./limits.js";
import { canonicalJson, checkValue, describeValue, lengthOf } from "./value-rules.js";
import type { VariableConstraints, VariableType, VariableValue } from "./variable.js";

const numeric = new Set<VariableType>(["integer", "float"]);
const measured = new Set<VariableType>(["string", "array", "bytes"]);

/**
 * Checks that constraints can apply to the type and agree with themselves, and returns them in
 * a fixed field order without empty fields; undefined when nothing is left. INVALID_ARGUMENT otherwise.
 */
export function normalizeConstraints(
  name: string,
  type: VariableType,
  constraints: VariableConstraints | undefined,
  limits: Pick<Limits, "maxAllowedValues" | "maxValueDepth">,
): VariableConstraints | undefined {
  if (constraints === undefined) return undefined;
  const { min, max, allowed, maxLength } = constraints;
  const out: VariableConstraints = {};
  for (const [field, bound] of [["min", min], ["max", max]] as const) {
    if (bound === undefined) continue;
    if (!numeric.has(type)) throw invalidConstraints(name, `${field} applies to integer and float variables, not ${type}`);
    if (typeof bound !== "number" || !Number.isFinite(bound)) throw invalidConstraints(name, `${field} must be a finite number`);
    out[field] = bound;
  }
  if (out.min !== undefined && out.max !== undefined && out.min > out.max) {
    throw invalidConstraints(name, `min ${out.min} is greater than max ${out.max}`);
  }
  if (allowed !== undefined && allowed.length > 0) {
    if (type === "bytes") throw invalidConstraints(name, "allowed does not apply to bytes variables");
    if (allowed.length > limits.maxAllowedValues) {
      throw invalidConstraints(name, `allowed lists ${allowed.length} values; at most ${limits.maxAllowedValues}`);
    }
    allowed.forEach((value, i) => {
      try {
        checkValue(name, type, value, limits);
      } catch {
        throw invalidConstraints(name, `allowed value ${i} is ${describeValue(value)}, not ${type}`);
      }
    });
    out.allowed = allowed;
  }
  if (maxLength !== undefined) {
    if (!measured.has(type)) throw invalidConstraints(name, `maxLength applies to string, array and bytes variables, not ${type}`);
    if (!Number.isSafeInteger(maxLength) || maxLength < 0) throw invalidConstraints(name, "maxLength must be a whole number >= 0");
    out.maxLength = maxLength;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Throws INVALID_ARGUMENT naming the broken rule when the value breaks the constraints. */
export function checkConstraints(name: string, value: VariableValue, constraints: VariableConstraints | undefined): void {
  if (constraints === undefined) return;
  const { min, max, allowed, maxLength } = constraints;
  if (typeof value === "number") {
    if (min !== undefined && value < min) throw constraintViolated(name, `must be at least ${min}; got ${value}`);
    if (max !== undefined && value > max) throw constraintViolated(name, `must be at most ${max}; got ${value}`);
  }
  if (maxLength !== undefined) {
    const length = lengthOf(value);
    if (length !== undefined && length > maxLength) {
      const unit = typeof value === "string" ? "characters" : value instanceof Uint8Array ? "bytes" : "items";
      throw constraintViolated(name, `must be at most ${maxLength} ${unit} long; got ${length}`);
    }
  }
  if (allowed !== undefined && allowed.length > 0 && !(value instanceof Uint8Array)) {
    const key = canonicalJson(value);
    if (!allowed.some((candidate) => canonicalJson(candidate) === key)) {
      throw constraintViolated(name, `must be one of ${listValues(allowed)}; got ${describeValue(value)}`);
    }
  }
}

function listValues(values: JsonValue[]): string {
  const shown = values.slice(0, 10).map((v) => JSON.stringify(v)).join(", ");
  return values.length > 10 ? `${shown}, ... (${values.length} in all)` : shown;
}
