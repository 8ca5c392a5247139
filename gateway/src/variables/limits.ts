/** Every bound the store and the variable rules enforce; each one configurable. */
export interface Limits {
  /** Live sessions at once; creating one more is RESOURCE_EXHAUSTED. */
  maxSessions: number;
  /** Entries in a session's metadata map. */
  maxSessionMetadataEntries: number;
  /** Characters in a session metadata key. */
  maxSessionMetadataKeyLength: number;
  /** Characters in a session metadata value. */
  maxSessionMetadataValueLength: number;
  /** Variables in one session; a write that creates one more is RESOURCE_EXHAUSTED. */
  maxVariablesPerSession: number;
  /** Characters in a variable name. */
  maxNameLength: number;
  /** Bytes in one value: its compact JSON text, or its raw bytes for a bytes variable. */
  maxValueBytes: number;
  /** Nesting of arrays and objects in one value. */
  maxValueDepth: number;
  /** Writes plus deletes in one commit. */
  maxItemsPerCommit: number;
  /** Bytes of all values in one commit. */
  maxCommitBytes: number;
  /** Entries in a variable's `allowed` constraint. */
  maxAllowedValues: number;
  /** Tags on one variable. */
  maxTags: number;
  /** Characters in one tag. */
  maxTagLength: number;
  /** Characters in `created_by`. */
  maxCreatedByLength: number;
  /** Characters in a variable's description. */
  maxDescriptionLength: number;
  /** Session-scoped tools registered in one session. */
  maxSessionTools: number;
  /** Watches open at once on one store instance. */
  maxWatchers: number;
}

/** The defaults: generous for real use, small enough that one client cannot exhaust a gateway. */
export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxSessions: 10_000,
  maxSessionMetadataEntries: 64,
  maxSessionMetadataKeyLength: 128,
  maxSessionMetadataValueLength: 1024,
  maxVariablesPerSession: 1000,
  maxNameLength: 128,
  maxValueBytes: 256 * 1024,
  maxValueDepth: 32,
  maxItemsPerCommit: 1000,
  maxCommitBytes: 4 * 1024 * 1024,
  maxAllowedValues: 256,
  maxTags: 32,
  maxTagLength: 64,
  maxCreatedByLength: 256,
  maxDescriptionLength: 1024,
  maxSessionTools: 64,
  maxWatchers: 1000,
});

/** The defaults with some bounds replaced; each given bound must be a positive integer. */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits = { ...defaultLimits };
  for (const [key, value] of Object.entries(overrides) as [keyof Limits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`limit ${key} must be a positive integer; got ${value}`);
    limits[key] = value;
  }
  return limits;
}
