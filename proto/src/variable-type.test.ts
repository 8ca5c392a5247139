import { describe, expect, it } from "vitest";
import { VariableType } from "../gen/toolbridge/v1/variable_pb.js";
import { isVariableTypeName, variableTypeByName, variableTypeName } from "./variable-type.js";

describe("variable type names", () => {
  it("map every contract type to its name and back", () => {
    for (const [name, type] of Object.entries(variableTypeByName)) expect(variableTypeName(type)).toBe(name);
    expect(Object.keys(variableTypeByName)).toHaveLength(Object.keys(VariableType).length / 2 - 1);
  });

  it("have no name for UNSPECIFIED or an unknown number", () => {
    expect(variableTypeName(VariableType.UNSPECIFIED)).toBeUndefined();
    expect(variableTypeName(99 as VariableType)).toBeUndefined();
  });

  it("recognise only their own names, not an object's inherited keys", () => {
    expect(isVariableTypeName("bytes")).toBe(true);
    expect(isVariableTypeName("toString")).toBe(false);
    expect(isVariableTypeName("constructor")).toBe(false);
    expect(isVariableTypeName("String")).toBe(false);
  });
});
