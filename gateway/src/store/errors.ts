import { Code, ConnectError } from "@connectrpc/connect";
import type { EndedSession } from "./store.js";

// Every store failure and the code it maps to, for all three implementations, including what a
// Redis client throws. Messages say what happened and what to do; they never carry values or keys.

/** NOT_FOUND: the session expired, was cleaned up, or (when `ended` is absent) does not exist. */
export function sessionNotFound(id: string, ended?: EndedSession): ConnectError {
  if (ended?.reason === "expired") {
    return new ConnectError(
      `session '${id}' expired: it was last used ${seconds(ended.idleMs)} ago and sessions expire after their TTL ` +
        `(${seconds(ended.ttlMs)}) without use; initialize a new session, or use it more often or with a longer TTL`,
      Code.NotFound,
    );
  }
  if (ended?.reason === "cleaned") {
    return new ConnectError(`session '${id}' was cleaned up; initialize a new session`, Code.NotFound);
  }
  return new ConnectError(`session '${id}' does not exist; initialize a new session`, Code.NotFound);
}

/** A duration for people: "0.8 s", "75 s". */
function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** ALREADY_EXISTS: a live session already has this id. */
export function sessionExists(id: string): ConnectError {
  return new ConnectError(`session '${id}' already exists; use it, or choose another id`, Code.AlreadyExists);
}

/**
 * ALREADY_EXISTS: the id belonged to another org's session that ended lately. Gateways trust a
 * session's org for a moment without asking the store, so an id must not change orgs while any of
 * them may still remember the old owner.
 */
export function sessionIdTaken(id: string): ConnectError {
  return new ConnectError(`session id '${id}' was in use lately and is not free yet; choose another id`, Code.AlreadyExists);
}

/** RESOURCE_EXHAUSTED: maxSessions live sessions already. */
export function tooManySessions(max: number): ConnectError {
  return new ConnectError(`the gateway holds its limit of ${max} sessions; clean up sessions you no longer need`, Code.ResourceExhausted);
}

/** RESOURCE_EXHAUSTED: a commit would take the session past maxVariablesPerSession. */
export function tooManyVariables(sessionId: string, max: number): ConnectError {
  return new ConnectError(
    `session '${sessionId}' would hold more than ${max} variables; delete some first`,
    Code.ResourceExhausted,
  );
}

/** RESOURCE_EXHAUSTED: the session holds maxSessionTools tools already. */
export function tooManySessionTools(sessionId: string, max: number): ConnectError {
  return new ConnectError(`session '${sessionId}' already has ${max} session tools`, Code.ResourceExhausted);
}

/** ABORTED: an expected_version that is not the stored one; nothing was changed. */
export function versionConflict(name: string, expected: number, actual: number): ConnectError {
  const state = actual === 0 ? "does not exist" : `is at version ${actual}`;
  const wanted = expected === 0 ? "expected it not to exist" : `expected version ${expected}`;
  return new ConnectError(`variable '${name}' ${state} but the write ${wanted}; read it again and retry`, Code.Aborted);
}

/** ABORTED: the declared type or constraints kept changing under a write; nothing was changed. */
export function declarationRace(name: string): ConnectError {
  return new ConnectError(`variable '${name}' was redeclared while writing it; retry`, Code.Aborted);
}

/** RESOURCE_EXHAUSTED: maxWatchers watches are open already. */
export function tooManyWatchers(max: number): ConnectError {
  return new ConnectError(`${max} watches are open on this gateway already; close one or retry later`, Code.ResourceExhausted);
}

/** RESOURCE_EXHAUSTED: a watcher fell behind further than the change log keeps. */
export function watchFellBehind(sessionId: string, kept: number): ConnectError {
  return new ConnectError(
    `the watch of session '${sessionId}' fell more than ${kept} changes behind; watch again (with include_initial)`,
    Code.ResourceExhausted,
  );
}

/** INVALID_ARGUMENT: a page token this store did not issue. */
export function invalidPageToken(): ConnectError {
  return new ConnectError("page_token is not one this server issued; start again without it", Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a TTL that is not a positive whole number of milliseconds. */
export function invalidTtl(what: string, ttlMs: number): ConnectError {
  return new ConnectError(`${what} TTL must be a positive whole number of milliseconds; got ${ttlMs}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a rememberEndedMs that is not a whole number of milliseconds from 1 to 7 days. */
export function invalidRememberEnded(ms: number): ConnectError {
  return new ConnectError(`rememberEndedMs must be a whole number of milliseconds from 1 to 7 days; got ${ms}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a key hash that cannot be one (empty or too long). */
export function invalidKeyHash(): ConnectError {
  return new ConnectError("an API key hash is 1 to 256 characters", Code.InvalidArgument);
}

/** RESOURCE_EXHAUSTED: more names in one read than one commit may hold. */
export function tooManyNames(max: number): ConnectError {
  return new ConnectError(`at most ${max} names in one read`, Code.ResourceExhausted);
}

/** DATA_LOSS: a stored record this version cannot read (written by a newer gateway, or damaged). */
export function unreadableRecord(what: string): ConnectError {
  return new ConnectError(`a stored ${what} record cannot be read by this gateway version`, Code.DataLoss);
}

/** FAILED_PRECONDITION: the store was closed. */
export function storeClosed(): ConnectError {
  return new ConnectError("the store is closed", Code.FailedPrecondition);
}

/**
 * Any failure of a Redis store as a ConnectError: ConnectErrors pass through; a failing script or
 * a refused command is INTERNAL; out of memory is RESOURCE_EXHAUSTED; anything else (BUSY, LOADING,
 * connection refused, timeouts, a closed client, HTTP failures of the REST API) is UNAVAILABLE,
 * so callers may retry.
 */
export function fromRedisFailure(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // @upstash/redis appends the command (with its values) to some messages: keep them out.
  const reason = message.split(", command was:")[0].slice(0, 200);
  const reply = /^(?:Command failed: )?([A-Z]+)\b/.exec(reason)?.[1];
  if (reply === "OOM") {
    return new ConnectError(`the session store is out of memory: ${reason}`, Code.ResourceExhausted, undefined, undefined, err);
  }
  if (reply === "ERR" || reply === "WRONGTYPE" || reply === "NOSCRIPT" || reply === "NOPERM") {
    return new ConnectError(`the session store refused a command: ${reason}`, Code.Internal, undefined, undefined, err);
  }
  return new ConnectError(`the session store is unavailable: ${reason}`, Code.Unavailable, undefined, undefined, err);
}
