import type { RuntimeInfo } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { invalidArgument } from "../variables/errors.js";
import type { Limits } from "../variables/limits.js";
import { checkSessionMetadata } from "../variables/metadata-rules.js";
import { checkId, checkVariableName } from "../variables/names.js";
import { invalidKeyHash, invalidRememberEnded, invalidTtl, tooManyNames } from "./errors.js";
import type { NewSession, SessionTool, StoreOptions } from "./store.js";

// Checks of everything but variable writes (plan-commit.ts has those) that every store runs
// before touching its data, so that all three refuse the same input the same way.

/** Longest TTL of a session or runtime: one year. */
export const maxTtlMs = 365 * 24 * 3600 * 1000;

/** Throws INVALID_ARGUMENT unless ttlMs is a positive whole number of milliseconds up to a year. */
export function checkTtl(what: "session" | "runtime", ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > maxTtlMs) throw invalidTtl(what, ttlMs);
}

/** How long an ended session is remembered unless the options say otherwise: a day. */
export const defaultRememberEndedMs = 24 * 3600 * 1000;

/** The options' rememberEndedMs or its default; INVALID_ARGUMENT outside 1 ms to 7 days. */
export function rememberEndedMsOf(options: StoreOptions): number {
  const ms = options.rememberEndedMs ?? defaultRememberEndedMs;
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > 7 * defaultRememberEndedMs) throw invalidRememberEnded(ms);
  return ms;
}

/** The new session with its id filled in, after checking id, org, metadata and TTL. */
export function checkNewSession(session: NewSession, limits: Limits): Required<Omit<NewSession, "variables">> {
  const id = session.id || crypto.randomUUID();
  checkId("session", id);
  if (typeof session.orgId !== "string" || session.orgId.length > 256) throw invalidArgument("org id must be a string of at most 256 characters");
  const metadata = session.metadata ?? {};
  checkSessionMetadata(metadata, limits);
  checkTtl("session", session.ttlMs);
  return { id, orgId: session.orgId, metadata: { ...metadata }, ttlMs: session.ttlMs };
}

/** Throws INVALID_ARGUMENT for a bad name and RESOURCE_EXHAUSTED for too many names in one read. */
export function checkNames(names: string[], limits: Limits): void {
  if (names.length > limits.maxItemsPerCommit) throw tooManyNames(limits.maxItemsPerCommit);
  for (const name of names) checkVariableName(name, limits);
}

/** Throws INVALID_ARGUMENT unless the tool has a name and the endpoint is an http(s) URL. */
export function checkSessionTool(tool: SessionTool): void {
  const name = tool.tool?.name;
  if (!name || name.length > 256) throw invalidArgument("a session tool needs a name of 1 to 256 characters");
  if (!/^https?:\/\//.test(tool.endpoint ?? "")) throw invalidArgument(`session tool '${name}': endpoint must be an http(s) URL`);
}

/** Throws INVALID_ARGUMENT unless the runtime has a valid id and a TTL. */
export function checkRuntime(runtime: RuntimeInfo, ttlMs: number): void {
  checkId("runtime", runtime.id);
  checkTtl("runtime", ttlMs);
}

/** Throws INVALID_ARGUMENT unless the key hash has a plausible length. */
export function checkKeyHash(keyHash: string): void {
  if (typeof keyHash !== "string" || keyHash.length === 0 || keyHash.length > 256) throw invalidKeyHash();
}
