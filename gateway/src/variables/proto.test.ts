import { create } from "@bufbuild/protobuf";
import { toValue } from "@toolbridge/proto";
import {
  VariableConstraintsSchema,
  VariableType,
  VariableWriteSchema,
  WatchVariablesResponse_Kind,
} from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { describe, expect, it } from "vitest";
import { changeToProto, variableToProto, writeFromProto } from "./proto.js";

describe("proto conversions", () => {
  it("reads a write: unspecified type, value, constraints presence and expected version", () => {
    const write = writeFromProto(
      create(VariableWriteSchema, {
        name: "n",
        content: { case: "value", value: toValue(3) },
        constraints: create(VariableConstraintsSchema, { max: 5, allowed: [toValue(1), toValue(3)] }),
        expectedVersion: 0,
      }),
    );
    expect(write).toEqual({
      name: "n",
      type: undefined,
      value: 3,
      constraints: { min: undefined, max: 5, allowed: [1, 3], maxLength: undefined },
      metadata: undefined,
      expectedVersion: 0,
    });
  });

  it("reads bytes and a missing value", () => {
    const bytes = writeFromProto(create(VariableWriteSchema, { name: "b", type: VariableType.BYTES, content: { case: "bytesValue", value: new Uint8Array([1]) } }));
    expect(bytes).toMatchObject({ type: "bytes", value: new Uint8Array([1]) });
    expect(writeFromProto(create(VariableWriteSchema, { name: "x" })).value).toBeUndefined();
  });

  it("writes a variable and a change with timestamps", () => {
    const variable = { name: "s", type: "string" as const, value: "v", version: 2, createdAt: 1000, updatedAt: 2500, metadata: { tags: ["t"] } };
    const proto = variableToProto(variable);
    expect(proto).toMatchObject({ name: "s", type: VariableType.STRING, version: 2, metadata: { tags: ["t"], createdBy: "" } });
    expect(proto.content).toMatchObject({ case: "value" });
    expect(Number(proto.updatedAt?.seconds)).toBe(2);
    expect(proto.updatedAt?.nanos).toBe(500_000_000);
    const change = changeToProto({ kind: "delete", variable, sequence: 7 });
    expect(change).toMatchObject({ kind: WatchVariablesResponse_Kind.DELETE, sequence: 7 });
  });
});
