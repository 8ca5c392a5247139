// Building proto variable writes in tests.
import { create, type JsonValue } from "@bufbuild/protobuf";
import { fromValue, toValue, variableTypeByName, type VariableTypeName } from "@toolbridge/proto";
import { type Variable, type VariableWrite, VariableWriteSchema } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";

/** A write of a JSON value (or bytes) with a type and, optionally, an expected version. */
export function write(name: string, type: VariableTypeName, value: JsonValue | Uint8Array, expectedVersion?: number): VariableWrite {
  return create(VariableWriteSchema, {
    name,
    type: variableTypeByName[type],
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
