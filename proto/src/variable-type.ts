import { VariableType } from "../gen/toolbridge/v1/variable_pb.js";

/** A variable's declared type by the name tools, stores and messages use for it. */
export type VariableTypeName = "string" | "integer" | "float" | "boolean" | "object" | "array" | "bytes";

/** The contract's VariableType of each name. */
export const variableTypeByName: Readonly<Record<VariableTypeName, VariableType>> = {
  string: VariableType.STRING,
  integer: VariableType.INTEGER,
  float: VariableType.FLOAT,
  boolean: VariableType.BOOLEAN,
  object: VariableType.OBJECT,
  array: VariableType.ARRAY,
  bytes: VariableType.BYTES,
};

const nameByType = new Map<VariableType, VariableTypeName>(
  Object.entries(variableTypeByName).map(([name, type]) => [type, name as VariableTypeName]),
);

/** The name of a contract VariableType; undefined for UNSPECIFIED and unknown numbers. */
export function variableTypeName(type: VariableType): VariableTypeName | undefined {
  return nameByType.get(type);
}

/** True when `name` is a variable type's name (own keys only: "toString" is not one). */
export function isVariableTypeName(name: string): name is VariableTypeName {
  return Object.hasOwn(variableTypeByName, name);
}
