// Every way a caller can fail to prove who it is, or be refused what it asks, with its code. This is the one
// place where the runtime's authentication and permission failures become Connect codes. Messages never repeat
// a key or a token.
import { Code, ConnectError } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";

/** UNAUTHENTICATED: no Authorization header. */
export function missingCredentials(): ConnectError {
  return new ConnectError(
    "missing credentials: send Authorization: Bearer <runtime key or session token>",
    Code.Unauthenticated,
  );
}

/** UNAUTHENTICATED: an Authorization header that is not "Bearer <credential>". */
export function malformedCredentials(): ConnectError {
  return new ConnectError(
    "malformed Authorization header: expected Bearer <runtime key or session token>",
    Code.Unauthenticated,
  );
}

/** UNAUTHENTICATED: neither the runtime key nor a token. */
export function invalidKey(): ConnectError {
  return new ConnectError("the runtime key is not valid", Code.Unauthenticated);
}

/** UNAUTHENTICATED: a session token that does not verify with this runtime's key; `why` says what is wrong. */
export function invalidSessionToken(why: string): ConnectError {
  return new ConnectError(`the session token is not valid: ${why}; ask the gateway for a new one`, Code.Unauthenticated);
}

/** UNAUTHENTICATED: a toolbridge-call header that does not verify or has expired. */
export function invalidCallContext(): ConnectError {
  return new ConnectError("the toolbridge-call context is not valid or has expired", Code.Unauthenticated);
}

/** PERMISSION_DENIED: a session token used for a call in another session, or in none. */
export function sessionNotAllowed(tokenSession: string, requested: string): ConnectError {
  const what = requested === "" ? "names no session" : `names session '${requested}'`;
  return new ConnectError(
    `this session token is for session '${tokenSession}' only, and the call ${what}`,
    Code.PermissionDenied,
  );
}

/** PERMISSION_DENIED: the caller's org may not call the tool (as the gateway says it). */
export function toolNotAllowed(orgId: string, tool: string): ConnectError {
  return toolError(Code.PermissionDenied, `the key of org '${orgId}' may not call tool '${tool}'`, { tool, field: "/tool" });
}

/** FAILED_PRECONDITION: a nested call of a tool already on its path (as the gateway says it). */
export function callCycle(chain: readonly string[], tool: string): ConnectError {
  return toolError(Code.FailedPrecondition, `call cycle: ${[...chain, tool].join(" -> ")}`, { tool });
}

/** RESOURCE_EXHAUSTED: a nested call deeper than the limit (as the gateway says it). */
export function callTooDeep(chain: readonly string[], tool: string, max: number): ConnectError {
  return toolError(Code.ResourceExhausted, `nested calls deeper than ${max}: ${[...chain, tool].join(" -> ")}`, { tool });
}

/** PERMISSION_DENIED: a service only the runtime key may call. */
export function runtimeKeyRequired(service: string): ConnectError {
  return new ConnectError(`${service} needs the runtime key, not a session token`, Code.PermissionDenied);
}
