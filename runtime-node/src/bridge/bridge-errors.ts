// Failures of callbacks and nested calls decided by the runtime (the bridge between a running tool and the
// rest of toolbridge), and the mapping of a failed request to the gateway. One file, one place for their codes.
import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";

/** UNAVAILABLE: a callback that needs the gateway on a runtime started without --gateway-url. */
export function noGateway(what: string): ConnectError {
  return new ConnectError(
    `${what} needs the gateway, and this runtime has none configured (start it with --gateway-url or ` +
      "TOOLBRIDGE_GATEWAY_URL); only its own TypeScript tools can be called without one",
    Code.Unavailable,
  );
}

/** FAILED_PRECONDITION: a callback that needs the gateway from a call that came with the runtime key alone. */
export function noCallContext(what: string): ConnectError {
  return new ConnectError(
    `this call came without a gateway call context; ${what} goes through the gateway, which needs one: call the ` +
      "tool through the gateway (or with a session token) for callbacks that reach variables or other runtimes' tools",
    Code.FailedPrecondition,
  );
}

/** FAILED_PRECONDITION: a variable callback from a call that has no session. */
export function noSession(what: string): ConnectError {
  return new ConnectError(`${what} needs a session, and this call has none: call the tool with a session_id`, Code.FailedPrecondition);
}

/** INVALID_ARGUMENT: a callback whose parameters are not what its op needs. */
export function badCallback(op: string, why: string): ConnectError {
  return new ConnectError(`callback "${op}": ${why}`, Code.InvalidArgument);
}

/** UNIMPLEMENTED: a callback op this runtime does not know. */
export function unknownCallback(op: string): ConnectError {
  return new ConnectError(
    `unknown callback "${op}"; this runtime serves get_variable, set_variable, delete_variable, list_variables, ` +
      "list_tools, call_tool and stream_tool",
    Code.Unimplemented,
  );
}

/** DEADLINE_EXCEEDED: a callback made when its call had no time left. */
export function noTimeLeft(what: string): ConnectError {
  return new ConnectError(`${what}: the call's deadline has passed`, Code.DeadlineExceeded);
}

const connectionErrors = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ETIMEDOUT", "EPIPE"]);

/** The error of a request to the gateway: its own answer as it is, a failure to reach it named as such. */
export function fromGateway(error: unknown, gatewayUrl: string): ConnectError {
  const err = ConnectError.from(error);
  if (err.findDetails(ErrorInfoSchema).length > 0) return err;
  const cause = err.cause as { code?: unknown } | undefined;
  if (err.code === Code.Unavailable && typeof cause?.code === "string" && connectionErrors.has(cause.code)) {
    return new ConnectError(`cannot reach the gateway at ${gatewayUrl} (${cause.code}); retry when it is back`, Code.Unavailable);
  }
  return err;
}

/** INTERNAL: an answer of the gateway that lacks what it must hold. */
export function badGatewayAnswer(gatewayUrl: string, what: string): ConnectError {
  return new ConnectError(`the gateway at ${gatewayUrl} ${what}`, Code.Internal);
}

/** NOT_FOUND: a variable the session does not have (the gateway answers GetVariable without one). */
export function noVariable(name: string, sessionId: string): ConnectError {
  return new ConnectError(`session '${sessionId}' has no variable '${name}'`, Code.NotFound);
}
