import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import {
  type Variable as ProtoVariable,
  VariableConstraintsSchema,
  VariableMetadataSchema,
  VariableSchema,
  VariableType as ProtoVariableType,
  type VariableWrite as ProtoVariableWrite,
  type WatchVariablesResponse,
  WatchVariablesResponse_Kind,
  WatchVariablesResponseSchema,
  type VariableConstraints as ProtoConstraints,
  type VariableMetadata as ProtoMetadata,
} from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { fromValue, toValue, variableTypeByName, variableTypeName } from "@toolbridge/proto";
import type {
  Variable,
  VariableChange,
  VariableConstraints,
  VariableMetadata,
  VariableType,
  VariableWrite,
} from "./variable.js";

// Between the contract's messages and the store's records, for the VariableService and the
// SessionService. The rules run on the records; these only move fields.

/** The record type of a proto VariableType; undefined for UNSPECIFIED (and unknown numbers). */
export function variableTypeFromProto(type: ProtoVariableType): VariableType | undefined {
  return variableTypeName(type);
}

/** The proto VariableType of a record type. */
export function variableTypeToProto(type: VariableType): ProtoVariableType {
  return variableTypeByName[type];
}

/** A write as the rules take it, from a proto VariableWrite. */
export function writeFromProto(write: ProtoVariableWrite): VariableWrite {
  const { content } = write;
  return {
    name: write.name,
    type: variableTypeFromProto(write.type),
    value: content.case === "value" ? fromValue(content.value) : content.case === "bytesValue" ? content.value : undefined,
    constraints: write.constraints && constraintsFromProto(write.constraints),
    metadata: write.metadata && metadataFromProto(write.metadata),
    expectedVersion: write.expectedVersion,
  };
}

/** A proto Variable from a stored record. */
export function variableToProto(variable: Variable): ProtoVariable {
  const { value } = variable;
  return create(VariableSchema, {
    name: variable.name,
    type: variableTypeByName[variable.type],
    content: value instanceof Uint8Array ? { case: "bytesValue", value } : { case: "value", value: toValue(value) },
    constraints: variable.constraints && constraintsToProto(variable.constraints),
    metadata: variable.metadata && create(VariableMetadataSchema, variable.metadata),
    version: variable.version,
    createdAt: timestampFromMs(variable.createdAt),
    updatedAt: timestampFromMs(variable.updatedAt),
  });
}

const toProtoKind = {
  initial: WatchVariablesResponse_Kind.INITIAL,
  set: WatchVariablesResponse_Kind.SET,
  delete: WatchVariablesResponse_Kind.DELETE,
} as const;

/** A WatchVariablesResponse from a change feed entry. */
export function changeToProto(change: VariableChange): WatchVariablesResponse {
  return create(WatchVariablesResponseSchema, {
    kind: toProtoKind[change.kind],
    variable: variableToProto(change.variable),
    sequence: change.sequence,
  });
}

function constraintsFromProto(c: ProtoConstraints): VariableConstraints {
  return { min: c.min, max: c.max, allowed: c.allowed.map((v) => fromValue(v)), maxLength: c.maxLength };
}

function constraintsToProto(c: VariableConstraints) {
  return create(VariableConstraintsSchema, {
    min: c.min,
    max: c.max,
    allowed: (c.allowed ?? []).map((v) => toValue(v)),
    maxLength: c.maxLength,
  });
}

function metadataFromProto(m: ProtoMetadata): VariableMetadata {
  return { createdBy: m.createdBy, tags: [...m.tags], description: m.description };
}
