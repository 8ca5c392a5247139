// Building proto variable writes in tests.
import { create, type JsonValue } from "@bufbuild/protobuf";
import { fromValue, toValue } from "@toolbridge/proto";
import { type Variable, VariableType, type VariableWrite, VariableWriteSchema } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";

/** The proto type of each variable type name. */
export const types = {
  string: VariableType.STRING,
  integer: VariableType.INTEGER,
  float: VariableType.FLOAT,
  boolean: VariableType.BOOLEAN,
  object: VariableType.OBJECT,
  array: VariableType.ARRAY,
  bytes: VariableType.BYTES,
} as const;

/** A write of a JSON value (or bytes) with a type and, optionally, an expected version. */
export function write(name: string, type: keyof typeof types, value: JsonValue | Uint8Array, expectedVersion?: number): VariableWrite {
  return create(VariableWriteSchema, {
    name,
    type: types[type],
    content: value instanceof Uint8Array ? { case: "bytesValue", value } : { case: "value", value: toValue(value) },
    expectedVersion,
  });
}

/** A variable's JSON value (or bytes). */
export function valueOf(variable: Variable | undefined): JsonValue | Uint8Array | undefined {
  if (variable === undefined) return undefined;
  const { content } = variable;
  return content.case === "bytesValue" ? content.value : content.case === "value" ? fromValue(content.value) : undefined;
}
