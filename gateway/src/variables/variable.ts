import type { JsonValue } from "@bufbuild/protobuf";
import type { VariableTypeName } from "@toolbridge/proto";

/** The declared type of a variable, fixed when it is created. */
export type VariableType = VariableTypeName;

/** Every variable type, in the order of the proto enum (VARIABLE_TYPE_STRING = 1, ...). */
export const variableTypes: readonly VariableType[] = ["string", "integer", "float", "boolean", "object", "array", "bytes"];

/** A variable's value: JSON for every type but bytes, which holds raw bytes. */
export type VariableValue = JsonValue | Uint8Array;

/** Limits every write of a variable must respect; every field optional. */
export interface VariableConstraints {
  /** Smallest allowed number (integer, float). */
  min?: number;
  /** Largest allowed number (integer, float). */
  max?: number;
  /** Allowed values; absent or empty means any. */
  allowed?: JsonValue[];
  /** Longest string (in characters), array (in items) or bytes value (in bytes). */
  maxLength?: number;
}

/** Who made a variable and how to find it; every field optional. */
export interface VariableMetadata {
  /** Who created the variable (an org or a tool). */
  createdBy?: string;
  /** Free-form labels. */
  tags?: string[];
  /** Free-form description. */
  description?: string;
}

/** A variable as the store holds it. Times are milliseconds since the epoch. */
export interface Variable {
  /** Name, unique within its session. */
  name: string;
  /** Declared type, fixed at creation. */
  type: VariableType;
  /** Current value; a Uint8Array exactly when the type is bytes. */
  value: VariableValue;
  /** Limits every write must respect; absent when there are none. */
  constraints?: VariableConstraints;
  /** Metadata; absent when none was given. */
  metadata?: VariableMetadata;
  /** 1 on creation, one more on every write. */
  version: number;
  /** When the variable was created. */
  createdAt: number;
  /** When the variable was last written. */
  updatedAt: number;
}

/** One write: creates the variable or replaces its value. */
export interface VariableWrite {
  /** The variable's name. */
  name: string;
  /**
   * Required on creation; on later writes absent or the declared type. Types are fixed at
   * creation: another type is FAILED_PRECONDITION (the request is fine, the variable's state
   * refuses it); delete the variable and create it again to change its type.
   */
  type?: VariableType;
  /** The new value (undefined is refused: every write carries a value). */
  value: VariableValue | undefined;
  /** Replaces the constraints when present ({} removes them); absent keeps them. */
  constraints?: VariableConstraints;
  /** Replaces the metadata when present ({} removes it); absent keeps it. */
  metadata?: VariableMetadata;
  /** When present the write happens only at this version; 0 means the variable must not exist yet. */
  expectedVersion?: number;
}

/** One delete. */
export interface VariableDelete {
  /** The variable's name; deleting a variable that does not exist changes nothing. */
  name: string;
  /** When present the delete happens only at this version (0: only if it does not exist). */
  expectedVersion?: number;
}

/** Several writes and deletes applied all or nothing: writes in order, then deletes in order. */
export interface VariableCommit {
  /** Variables to create or replace. */
  writes?: VariableWrite[];
  /** Variables to remove. */
  deletes?: VariableDelete[];
}

/** One entry of a session's change feed. */
export interface VariableChange {
  /** "initial" for a watch's snapshot, then "set" or "delete" for each change. */
  kind: "initial" | "set" | "delete";
  /** The variable after the change; for a delete, its last state. */
  variable: Variable;
  /** The session's change counter: one more with every change; a snapshot carries the counter it was taken at. */
  sequence: number;
}
