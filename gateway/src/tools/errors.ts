import { Code, ConnectError } from "@connectrpc/connect";
import { ErrorInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { toolError } from "@toolbridge/proto";

// The boundary between the gateway and the TypeScript tools it runs itself: what a tool throws,
// returns or fails to finish, mapped to codes in this one file.

/**
 * The ConnectError a gateway tool's failure becomes. A ConnectError the tool threw on purpose keeps
 * its code, message and ErrorInfo (with the tool's name filled in); anything else thrown is
 * INTERNAL with the JavaScript error's name as the ErrorInfo type and its stack as the traceback,
 * as a Python exception is.
 */
export function fromToolFailure(err: unknown, tool: string): ConnectError {
  if (err instanceof ConnectError) {
    const [info] = err.findDetails(ErrorInfoSchema);
    if (info === undefined) return toolError(err.code, err.rawMessage, { tool });
    if (info.tool !== "") return err;
    return toolError(err.code, err.rawMessage, { ...info, tool });
  }
  if (err instanceof Error) {
    const message = err.message || err.name;
    return toolError(Code.Internal, `tool '${tool}' failed: ${message}`, { type: err.name, traceback: err.stack ?? "", tool });
  }
  return toolError(Code.Internal, `tool '${tool}' failed: it threw ${describeThrown(err)}`, { type: typeof err, tool });
}

/** DEADLINE_EXCEEDED: a gateway tool still running at its call's deadline. */
export function toolDeadlineExceeded(tool: string, timeoutMs: number): ConnectError {
  return toolError(Code.DeadlineExceeded, `tool '${tool}' did not finish within the call's deadline of ${Math.round(timeoutMs)} ms`, {
    tool,
  });
}

/** CANCELED: the caller of a gateway tool went away. */
export function toolCancelled(tool: string): ConnectError {
  return toolError(Code.Canceled, `the call of tool '${tool}' was cancelled`, { tool });
}

/** INTERNAL: a gateway tool returned something that is not JSON (or a ToolResult). */
export function resultNotJson(tool: string, why: string): ConnectError {
  return toolError(Code.Internal, `tool '${tool}' returned a result that is not JSON: ${why}`, { type: "TypeError", tool });
}

/** FAILED_PRECONDITION: a tool asked for session variables in a call without a session. */
export function noSession(tool: string): ConnectError {
  return toolError(
    Code.FailedPrecondition,
    `tool '${tool}' uses session variables, but its call has no session; call it with a session_id`,
    { tool },
  );
}

/** INVALID_ARGUMENT: a variable type a tool named that does not exist. */
export function unknownVariableType(name: string, type: string): ConnectError {
  return new ConnectError(
    `variable '${name}': unknown type '${type}'; use string, integer, float, boolean, object, array or bytes`,
    Code.InvalidArgument,
  );
}

function describeThrown(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === "string") return JSON.stringify(value.slice(0, 200));
  return `a ${typeof value}`;
}
