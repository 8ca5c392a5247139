import type { EndedSession } from "../store.js";
import { int, text } from "./replies.js";

// A session's tombstone (lua/prelude.ts) as the gone() reply of a script returns it.

/**
 * How a missing session ended, from a gone() reply: {'gone'} when nothing is remembered, or
 * {'gone', "e|c <ttl> <remember> <org>", remaining ms}. The tombstone slides with the session
 * and outlives it by `remember`, so its remaining time says when the session was last used.
 */
export function endedOf(reply: unknown[]): EndedSession | undefined {
  if (reply.length < 3) return undefined;
  const tombstone = text(reply[1], "a tombstone");
  const remainingMs = int(reply[2], "a tombstone");
  const [state, ttl, remember] = tombstone.split(" ", 3);
  if (remember === undefined) return undefined;
  const orgId = tombstone.slice(state.length + ttl.length + remember.length + 3);
  if (state === "c") return { reason: "cleaned", orgId };
  const ttlMs = int(ttl, "a tombstone");
  return { reason: "expired", orgId, ttlMs, idleMs: Math.max(0, ttlMs + int(remember, "a tombstone") - remainingMs) };
}
