import { Code, ConnectError } from "@connectrpc/connect";
import { toolError } from "@toolbridge/proto";

// Failures the services decide themselves (the store's and the variable rules' have their own
// files: store/errors.ts, variables/errors.ts; routing's are in routing/errors.ts).

/** INVALID_ARGUMENT: a required field is missing. */
export function missingField(field: string): ConnectError {
  return new ConnectError(`${field} is required`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a number outside what the server allows. */
export function outOfRange(field: string, max: number, unit: string): ConnectError {
  return new ConnectError(`${field} must be at most ${max} ${unit}`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a batch with more calls than allowed. */
export function batchTooLarge(calls: number, max: number): ConnectError {
  return new ConnectError(`the batch has ${calls} calls; at most ${max} are allowed`, Code.InvalidArgument);
}

/** ABORTED: a batch call not started because an earlier one failed and stop_on_error is set. */
export function batchAborted(tool: string): ConnectError {
  return toolError(Code.Aborted, "not run: an earlier call of the batch failed and stop_on_error is set", { tool });
}

/** INVALID_ARGUMENT: a runtime registration without a usable id or URL. */
export function invalidRegistration(problem: string): ConnectError {
  return new ConnectError(`invalid runtime registration: ${problem}`, Code.InvalidArgument);
}

/** UNAVAILABLE: the gateway is shutting down. */
export function shuttingDown(): ConnectError {
  return new ConnectError("the gateway is shutting down; retry on another instance", Code.Unavailable);
}

/** ALREADY_EXISTS: a session tool named like one of the gateway's own tools. */
export function gatewayToolName(name: string): ConnectError {
  return new ConnectError(
    `'${name}' is a tool of the gateway itself; a session tool cannot take its name (choose another)`,
    Code.AlreadyExists,
  );
}
