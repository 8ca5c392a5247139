import { Code, ConnectError } from "@connectrpc/connect";

// Failures the services decide themselves (the store's and the variable rules' have their own
// files: store/errors.ts, variables/errors.ts; routing's are in routing/errors.ts; a batch's are
// with the batch runner both sides share, proto/src/batch.ts).

/** INVALID_ARGUMENT: a required field is missing. */
export function missingField(field: string): ConnectError {
  return new ConnectError(`${field} is required`, Code.InvalidArgument);
}

/** INVALID_ARGUMENT: a number outside what the server allows. */
export function outOfRange(field: string, max: number, unit: string): ConnectError {
  return new ConnectError(`${field} must be at most ${max} ${unit}`, Code.InvalidArgument);
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
