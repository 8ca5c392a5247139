import { Code, ConnectError } from "@connectrpc/connect";

// Script replies arrive as nested arrays of strings, integers and nulls from both clients.
// These read them defensively: a reply of the wrong shape is a bug worth a clear INTERNAL error.

function malformed(what: string): ConnectError {
  return new ConnectError(`the session store answered ${what} in an unexpected shape`, Code.Internal);
}

/** The reply as an array. */
export function list(reply: unknown, what: string): unknown[] {
  if (!Array.isArray(reply)) throw malformed(what);
  return reply;
}

/** An item as a string (integers are turned into their decimal text). */
export function text(item: unknown, what: string): string {
  if (typeof item === "string") return item;
  if (typeof item === "number") return String(item);
  throw malformed(what);
}

/** An item as a number. */
export function int(item: unknown, what: string): number {
  const value = typeof item === "number" ? item : Number(item);
  if (!Number.isFinite(value)) throw malformed(what);
  return value;
}

/** A string item, or undefined for null and "". */
export function optionalText(item: unknown): string | undefined {
  return typeof item === "string" && item !== "" ? item : undefined;
}

/** Pairs of a flat [name, value, name, value, ...] array. */
export function pairs(reply: unknown, what: string): [string, string][] {
  const items = list(reply, what);
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push([text(items[i], what), text(items[i + 1], what)]);
  return out;
}
