import { checkConstraints, normalizeConstraints } from "./constraint-rules.js";
import { commitTooLarge, duplicateName, invalidArgument, typeChange, typeRequired, valueRequired, valueTooLarge } from "./errors.js";
import type { Limits } from "./limits.js";
import { normalizeMetadata } from "./metadata-rules.js";
import { checkVariableName } from "./names.js";
import { checkValue } from "./value-rules.js";
import { utf8Length, valueToText } from "./value-text.js";
import {
  type VariableCommit,
  type VariableConstraints,
  type VariableMetadata,
  type VariableType,
  type VariableValue,
  variableTypes,
} from "./variable.js";

/** What the rules need to know of a stored variable: its declared type and constraints. */
export interface VariableDeclaration {
  /** Declared type. */
  type: VariableType;
  /** Current constraints, if any. */
  constraints?: VariableConstraints;
}

/** A write that passed every rule, resolved against the stored variable it was planned with. */
export interface PlannedWrite {
  /** The variable's name. */
  name: string;
  /** The declared type: the write's, or the stored variable's. */
  type: VariableType;
  /** True when the write named its type. */
  typeGiven: boolean;
  /** The new value. */
  value: VariableValue;
  /** Its stored text (see value-text.ts). */
  valueText: string;
  /** The constraints after the write: the write's when given, else the stored ones. */
  constraints?: VariableConstraints;
  /** True when the write replaces the constraints. */
  constraintsGiven: boolean;
  /** The write's metadata (normalized); meaningful only when metadataGiven. */
  metadata?: VariableMetadata;
  /** True when the write replaces the metadata; false keeps the stored metadata. */
  metadataGiven: boolean;
  /** Compare-and-set version, if the write carries one. */
  expectedVersion?: number;
}

/** A delete that passed the rules. */
export interface PlannedDelete {
  /** The variable's name. */
  name: string;
  /** Compare-and-set version, if the delete carries one. */
  expectedVersion?: number;
}

/** A commit that passed every rule: what a store applies after its version checks. */
export interface PlannedCommit {
  /** Writes, in request order. */
  writes: PlannedWrite[];
  /** Deletes, in request order. */
  deletes: PlannedDelete[];
}

/**
 * Checks a commit against the variable rules, given the stored declaration of each name it touches
 * (undefined: no such variable), and resolves every write. Throws the first broken rule as a
 * ConnectError; the store applies nothing then. Version checks and the per-session count are
 * the store's, because only it sees the stored versions atomically.
 */
export function planCommit(
  commit: VariableCommit,
  declarationOf: (name: string) => VariableDeclaration | undefined,
  limits: Limits,
): PlannedCommit {
  checkCommitShape(commit, limits);
  const writes = commit.writes ?? [];
  const deletes = commit.deletes ?? [];
  let totalBytes = 0;
  const planned = writes.map((write): PlannedWrite => {
    const { name, value } = write;
    if (value === undefined) throw valueRequired(name);
    if (write.type !== undefined && !variableTypes.includes(write.type)) {
      throw invalidArgument(`variable '${name}': unknown type ${JSON.stringify(write.type)}; use one of ${variableTypes.join(", ")}`);
    }
    const stored = declarationOf(name);
    if (stored === undefined && write.type === undefined) throw typeRequired(name);
    if (stored !== undefined && write.type !== undefined && write.type !== stored.type) throw typeChange(name, stored.type, write.type);
    const type = write.type ?? (stored as VariableDeclaration).type;
    const constraintsGiven = write.constraints !== undefined;
    const constraints = constraintsGiven ? normalizeConstraints(name, type, write.constraints, limits) : stored?.constraints;

    checkValue(name, type, value, limits);
    const valueText = valueToText(value);
    const size = value instanceof Uint8Array ? value.length : utf8Length(valueText);
    if (size > limits.maxValueBytes) throw valueTooLarge(name, `${size} bytes; the limit is ${limits.maxValueBytes}`);
    totalBytes += size;
    if (totalBytes > limits.maxCommitBytes) throw commitTooLarge(`values exceed ${limits.maxCommitBytes} bytes in all`);
    checkConstraints(name, value, constraints);

    const metadataGiven = write.metadata !== undefined;
    return {
      name,
      type,
      typeGiven: write.type !== undefined,
      value,
      valueText,
      constraints,
      constraintsGiven,
      metadata: metadataGiven ? normalizeMetadata(name, write.metadata, limits) : undefined,
      metadataGiven,
      expectedVersion: write.expectedVersion,
    };
  });
  return { writes: planned, deletes: deletes.map(({ name, expectedVersion }) => ({ name, expectedVersion })) };
}

/**
 * The checks of a commit that do not depend on what is stored: the number of items, names,
 * duplicates and expected versions. planCommit runs them first; a store may run them alone.
 */
export function checkCommitShape(commit: VariableCommit, limits: Limits): void {
  const writes = commit.writes ?? [];
  const deletes = commit.deletes ?? [];
  if (writes.length + deletes.length > limits.maxItemsPerCommit) {
    throw commitTooLarge(`${writes.length + deletes.length} items; at most ${limits.maxItemsPerCommit}`);
  }
  const seen = new Set<string>();
  for (const { name, expectedVersion } of [...writes, ...deletes]) {
    checkVariableName(name, limits);
    if (seen.has(name)) throw duplicateName(name);
    seen.add(name);
    checkExpectedVersion(name, expectedVersion);
  }
}

function checkExpectedVersion(name: string, version: number | undefined): void {
  if (version === undefined) return;
  if (!Number.isSafeInteger(version) || version < 0 || version > 0xffffffff) {
    throw invalidArgument(`variable '${name}': expected_version must be a whole number from 0 to 4294967295`);
  }
}
