import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ListValue, Struct, Value } from "@bufbuild/protobuf/wkt";
import { NullValue } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";

// These sit on the path of every tool call (results and chunks out), so they walk the messages directly
// instead of going through reflection, which is several times slower. (Struct fields need no conversion:
// protobuf-es represents them as JsonObject.)

/** How deep JSON may nest in arguments and results; deeper input is refused rather than overflowing the stack. */
export const maxJsonDepth = 128;

/** A google.protobuf.Value holding this JSON value. */
export function toValue(json: JsonValue): Value {
  return valueOf(json, 0);
}

/** The JSON value a google.protobuf.Value holds; null when it is unset. */
export function fromValue(value: Value | undefined): JsonValue {
  return value === undefined ? null : jsonOf(value, 0);
}

function tooDeep(): ConnectError {
  return new ConnectError(`JSON nests deeper than ${maxJsonDepth} levels`, Code.InvalidArgument);
}

function valueOf(json: JsonValue, depth: number): Value {
  switch (typeof json) {
    case "string":
      return { $typeName: "google.protobuf.Value", kind: { case: "stringValue", value: json } };
    case "number":
      return { $typeName: "google.protobuf.Value", kind: { case: "numberValue", value: json } };
    case "boolean":
      return { $typeName: "google.protobuf.Value", kind: { case: "boolValue", value: json } };
    case "object":
      if (json === null) break;
      if (depth >= maxJsonDepth) throw tooDeep();
      if (Array.isArray(json)) {
        const values = new Array<Value>(json.length);
        for (let i = 0; i < json.length; i++) values[i] = valueOf(json[i], depth + 1);
        const list: ListValue = { $typeName: "google.protobuf.ListValue", values };
        return { $typeName: "google.protobuf.Value", kind: { case: "listValue", value: list } };
      }
      return { $typeName: "google.protobuf.Value", kind: { case: "structValue", value: structOf(json, depth) } };
  }
  return { $typeName: "google.protobuf.Value", kind: { case: "nullValue", value: NullValue.NULL_VALUE } };
}

function structOf(json: JsonObject, depth: number): Struct {
  if (depth >= maxJsonDepth) throw tooDeep();
  const fields: Record<string, Value> = {};
  for (const key in json) {
    const item = json[key];
    // JSON.stringify drops undefined members; do the same instead of turning them into nulls.
    if (item !== undefined) setOwn(fields, key, valueOf(item, depth + 1));
  }
  return { $typeName: "google.protobuf.Struct", fields };
}

function jsonOf(value: Value, depth: number): JsonValue {
  const kind = value.kind;
  switch (kind.case) {
    case "stringValue":
    case "boolValue":
      return kind.value;
    case "numberValue":
      return kind.value;
    case "structValue":
      return objectOf(kind.value, depth + 1);
    case "listValue": {
      if (depth >= maxJsonDepth) throw tooDeep();
      const values = kind.value.values;
      const out = new Array<JsonValue>(values.length);
      for (let i = 0; i < values.length; i++) out[i] = jsonOf(values[i], depth + 1);
      return out;
    }
    default:
      return null;
  }
}

function objectOf(struct: Struct, depth: number): JsonObject {
  if (depth >= maxJsonDepth) throw tooDeep();
  const out: JsonObject = {};
  const fields = struct.fields;
  for (const key in fields) setOwn(out, key, jsonOf(fields[key], depth + 1));
  return out;
}

// A member named "__proto__" must stay a member, not replace the object's prototype.
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
