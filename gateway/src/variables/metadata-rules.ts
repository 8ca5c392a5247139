import { invalidMetadata, invalidSessionMetadata } from "./errors.js";
import type { Limits } from "./limits.js";
import type { VariableMetadata } from "./variable.js";

/**
 * Checks a variable's metadata against its bounds and returns it in a fixed field order without
 * empty fields; undefined when nothing is left. INVALID_ARGUMENT past a bound.
 */
export function normalizeMetadata(
  name: string,
  metadata: VariableMetadata | undefined,
  limits: Pick<Limits, "maxTags" | "maxTagLength" | "maxCreatedByLength" | "maxDescriptionLength">,
): VariableMetadata | undefined {
  if (metadata === undefined) return undefined;
  const { createdBy, tags, description } = metadata;
  const out: VariableMetadata = {};
  if (createdBy) {
    if (typeof createdBy !== "string") throw invalidMetadata(name, "created_by must be a string");
    if (createdBy.length > limits.maxCreatedByLength) {
      throw invalidMetadata(name, `created_by is longer than ${limits.maxCreatedByLength} characters`);
    }
    out.createdBy = createdBy;
  }
  if (tags !== undefined && tags.length > 0) {
    if (tags.length > limits.maxTags) throw invalidMetadata(name, `${tags.length} tags; at most ${limits.maxTags}`);
    for (const tag of tags) {
      if (typeof tag !== "string" || tag.length === 0 || tag.length > limits.maxTagLength) {
        throw invalidMetadata(name, `each tag must be 1 to ${limits.maxTagLength} characters`);
      }
    }
    out.tags = [...tags];
  }
  if (description) {
    if (typeof description !== "string") throw invalidMetadata(name, "description must be a string");
    if (description.length > limits.maxDescriptionLength) {
      throw invalidMetadata(name, `description is longer than ${limits.maxDescriptionLength} characters`);
    }
    out.description = description;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Throws INVALID_ARGUMENT when a session's metadata map is past its bounds. */
export function checkSessionMetadata(
  metadata: Record<string, string>,
  limits: Pick<Limits, "maxSessionMetadataEntries" | "maxSessionMetadataKeyLength" | "maxSessionMetadataValueLength">,
): void {
  const entries = Object.entries(metadata);
  if (entries.length > limits.maxSessionMetadataEntries) {
    throw invalidSessionMetadata(`${entries.length} entries; at most ${limits.maxSessionMetadataEntries}`);
  }
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > limits.maxSessionMetadataKeyLength) {
      throw invalidSessionMetadata(`key ${JSON.stringify(key.slice(0, 40))} must be 1 to ${limits.maxSessionMetadataKeyLength} characters`);
    }
    if (typeof value !== "string" || value.length > limits.maxSessionMetadataValueLength) {
      throw invalidSessionMetadata(`the value of ${JSON.stringify(key)} must be a string of at most ${limits.maxSessionMetadataValueLength} characters`);
    }
  }
}
