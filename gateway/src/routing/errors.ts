import { Code, ConnectError } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";

// The boundary between the gateway and its runtimes: routing failures, and what a call to a runtime
// can fail with, mapped to codes in this one file.

/** NOT_FOUND: no live runtime (or session tool) has the tool. */
export function noRuntimeServes(tool: string): ConnectError {
  const what = tool === "" ? "the request names no tool" : `no runtime serves tool '${tool}'`;
  return toolError(Code.NotFound, `${what}; ListTools lists the tools you may call`, { tool, field: "/tool" });
}

/** UNAVAILABLE: every runtime that serves the tool refused the connection lately. */
export function allRuntimesDown(tool: string, count: number): ConnectError {
  const which = count === 1 ? "the runtime that serves" : `all ${count} runtimes that serve`;
  return toolError(Code.Unavailable, `${which} tool '${tool}' cannot be reached; retry shortly`, { tool });
}

/** UNAVAILABLE: no runtime is registered, or every one refused lately (objects and schemas need one). */
export function noRuntimeUp(registered: number): ConnectError {
  return new ConnectError(
    registered === 0 ? "no runtime is registered with the gateway" : `all ${registered} registered runtimes refused connections lately; retry shortly`,
    Code.Unavailable,
  );
}

/**
 * FAILED_PRECONDITION: the runtime a session's objects live on is gone (no longer registered, or
 * refusing connections): its objects were lost with it. CreateInstance starts afresh elsewhere.
 */
export function objectsLost(sessionId: string, runtimeId: string): ConnectError {
  return new ConnectError(
    `the objects of session '${sessionId}' were lost with runtime '${runtimeId}', which is gone; create them again (CreateInstance)`,
    Code.FailedPrecondition,
  );
}

/** NOT_FOUND: a session that has no objects anywhere. */
export function noObjects(sessionId: string): ConnectError {
  return new ConnectError(`session '${sessionId}' has no objects; create one with CreateInstance`, Code.NotFound);
}

/** UNAVAILABLE: a session tool's runtime is no longer registered and not under an allowed prefix. */
export function sessionToolGone(tool: string): ConnectError {
  return toolError(Code.Unavailable, `the runtime serving session tool '${tool}' is not registered any more`, { tool });
}

/** PERMISSION_DENIED: a session tool endpoint the gateway will not call. */
export function endpointNotAllowed(endpoint: string): ConnectError {
  return new ConnectError(
    `the gateway calls only registered runtimes and its allowed session tool prefixes; '${endpoint.slice(0, 200)}' is neither`,
    Code.PermissionDenied,
  );
}

// Node's codes for a connection that was never made: the runtime cannot have seen the call.
const notConnected = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/**
 * True when a call failed before any byte reached the runtime (the connection was refused, or an
 * HTTP/2 stream was refused), so trying another runtime cannot run the tool twice.
 */
export function neverReached(err: unknown): boolean {
  if (err instanceof ConnectError && err.code === Code.Unavailable && /REFUSED_STREAM/.test(err.rawMessage)) return true;
  const seen = new Set<unknown>();
  for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && notConnected.has(code)) return true;
    if (/\bECONNREFUSED\b/.test(e.message)) return true;
  }
  return false;
}

/**
 * The error to give the caller for a failed runtime call. Errors the runtime sent pass through
 * with their code, message and details (ErrorInfo); the runtime's response headers stay behind.
 * Failures of the connection itself become UNAVAILABLE naming the runtime, since the call may or
 * may not have run.
 */
export function fromRuntimeFailure(err: unknown, runtimeId: string, tool: string, signal?: AbortSignal): ConnectError {
  const error = ConnectError.from(err);
  if (connectionLost(error, signal)) return lostConnection(runtimeId, tool);
  if (error.code === Code.Canceled || error.code === Code.DeadlineExceeded) {
    return error.details.length > 0 ? strip(error) : toolError(error.code, describeAbort(error.code, tool), { tool });
  }
  return strip(error);
}

/**
 * True when a call failed because the connection to the runtime failed after it may have reached it
 * (the runtime died mid-call, or, on Workers, where fetch says "Network connection lost." for a
 * refused connection too, possibly never reached it). Not retried, but the runtime is skipped for a while.
 */
export function connectionLost(err: unknown, signal?: AbortSignal): boolean {
  const error = ConnectError.from(err);
  // A cancelled HTTP/2 stream that the caller did not cancel is a runtime that went away mid-call.
  const callerCancelled = signal?.aborted ?? true;
  if (error.code === Code.Canceled) return !callerCancelled && error.details.length === 0;
  if (error.code === Code.DeadlineExceeded) return false;
  return isConnectionFailure(error);
}

function lostConnection(runtimeId: string, tool: string): ConnectError {
  return toolError(
    Code.Unavailable,
    `lost the connection to runtime '${runtimeId}' during the call of tool '${tool}'; it may or may not have run`,
    { tool },
  );
}

function describeAbort(code: Code, tool: string): string {
  return code === Code.Canceled
    ? `the call of tool '${tool}' was cancelled`
    : `tool '${tool}' did not finish within the call's deadline`;
}

// A transport-level failure carries a cause (a Node or fetch error); an error the runtime sent does not.
function isConnectionFailure(error: ConnectError): boolean {
  return error.details.length === 0 && error.cause instanceof Error && !(error.cause instanceof ConnectError);
}

function strip(error: ConnectError): ConnectError {
  const passed = new ConnectError(error.rawMessage, error.code);
  passed.details = error.details;
  return passed;
}
