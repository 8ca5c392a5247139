import { invalidName } from "./errors.js";
import type { Limits } from "./limits.js";

// Names travel into Redis keys and log lines, so they are plain: letters, digits and a few
// separators. Braces are excluded from ids because the Redis stores use them as hash tags.
const variableName = /^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/;
const identifier = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

/** Longest session or runtime id. */
export const maxIdLength = 128;

/** Throws INVALID_ARGUMENT unless `name` is a valid variable name. */
export function checkVariableName(name: string, limits: Pick<Limits, "maxNameLength">): void {
  if (typeof name !== "string" || name.length === 0) throw invalidName("variable", String(name ?? ""), "it is empty");
  if (name.length > limits.maxNameLength) {
    throw invalidName("variable", name, `it is longer than ${limits.maxNameLength} characters`);
  }
  if (!variableName.test(name)) {
    throw invalidName("variable", name, "use letters, digits and _ . : / - (not first)");
  }
}

/** Throws INVALID_ARGUMENT unless `id` is a valid session or runtime id; `kind` names it in the message. */
export function checkId(kind: "session" | "runtime", id: string): void {
  if (typeof id !== "string" || id.length === 0) throw invalidName(kind, String(id ?? ""), "it is empty");
  if (id.length > maxIdLength) throw invalidName(kind, id, `it is longer than ${maxIdLength} characters`);
  if (!identifier.test(id)) throw invalidName(kind, id, "use letters, digits and _ . : - (not first)");
}
