import { fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { type Value, ValueSchema } from "@bufbuild/protobuf/wkt";

/** A google.protobuf.Value holding this JSON value. */
export function toValue(json: JsonValue): Value {
  return fromJson(ValueSchema, json);
}

/** The JSON value a google.protobuf.Value holds; null when it is unset. */
export function fromValue(value: Value | undefined): JsonValue {
  return value === undefined ? null : toJson(ValueSchema, value);
}
