import { Code, ConnectError } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";

// Every way a caller can fail to prove who it is or to be allowed what it asks, with its code.
// Messages never repeat a key or a token.

/** UNAUTHENTICATED: no Authorization header. */
export function missingCredentials(): ConnectError {
  return new ConnectError("missing credentials: send Authorization: Bearer <API key>", Code.Unauthenticated);
}

/** UNAUTHENTICATED: an Authorization header that is not "Bearer <key>". */
export function malformedCredentials(): ConnectError {
  return new ConnectError("malformed Authorization header: expected Bearer <API key>", Code.Unauthenticated);
}

/** UNAUTHENTICATED: a key the gateway does not know. */
export function unknownKey(): ConnectError {
  return new ConnectError("the API key is not valid", Code.Unauthenticated);
}

/** UNAUTHENTICATED: a toolbridge-call header that does not verify or has expired. */
export function invalidCallContext(): ConnectError {
  return new ConnectError("the toolbridge-call context is not valid or has expired", Code.Unauthenticated);
}

/** UNAUTHENTICATED: an access_token query parameter that is not a valid, unexpired session token (an API key, say). */
export function invalidQueryToken(): ConnectError {
  return new ConnectError(
    "access_token must be a session token from SessionService.CreateSessionToken that has not expired; send API keys in the Authorization header, never in a URL",
    Code.Unauthenticated,
  );
}

/** PERMISSION_DENIED: the caller's org may not call the tool. Raised before anything reaches a runtime. */
export function toolNotAllowed(orgId: string, tool: string): ConnectError {
  return toolError(Code.PermissionDenied, `the key of org '${orgId}' may not call tool '${tool}'`, { tool, field: "/tool" });
}

/** PERMISSION_DENIED: an API key calling a service only runtimes may call. */
export function runtimeCredentialRequired(service: string): ConnectError {
  return new ConnectError(`${service} needs the runtime credential, not an API key`, Code.PermissionDenied);
}

/** PERMISSION_DENIED: the runtime credential without a call context calling an org's service. */
export function callContextRequired(service: string): ConnectError {
  return new ConnectError(
    `the runtime credential alone cannot call ${service}; forward the toolbridge-call header of the call being served`,
    Code.PermissionDenied,
  );
}

/** FAILED_PRECONDITION: a nested call would call a tool already on its path. */
export function callCycle(chain: readonly string[], tool: string): ConnectError {
  return toolError(Code.FailedPrecondition, `call cycle: ${[...chain, tool].join(" -> ")}`, { tool });
}

/** RESOURCE_EXHAUSTED: a nested call deeper than the limit. */
export function callTooDeep(chain: readonly string[], tool: string, max: number): ConnectError {
  return toolError(Code.ResourceExhausted, `nested calls deeper than ${max}: ${[...chain, tool].join(" -> ")}`, { tool });
}

/** PERMISSION_DENIED: a forwarded call naming a session other than the one of the call it serves. */
export function sessionOutOfScope(): ConnectError {
  return new ConnectError("a tool's callbacks may use only the session of the call they serve", Code.PermissionDenied);
}
