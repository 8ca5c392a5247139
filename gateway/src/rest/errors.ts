import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus } from "@connectrpc/connect/protocol-connect";
import { codeToName, errorInfoOf } from "@toolbridge/proto";

// How REST and SSE callers see a failure: the HTTP status Connect gives the code, and a JSON body
// naming the code and message (with the ErrorInfo fields a tool error carries).

/** A failure as REST bodies and SSE error events carry it. */
export interface RestError {
  /** The Connect code in snake case ("permission_denied"). */
  code: string;
  /** What went wrong, for a person. */
  message: string;
  /** The exception type, when a tool raised. */
  type?: string;
  /** The offending argument as a JSON pointer. */
  field?: string;
  /** The tool that failed. */
  tool?: string;
  /** The stack trace, when a tool raised. */
  traceback?: string;
}

/** The RestError of any failure. */
export function restError(err: unknown): RestError {
  const info = errorInfoOf(err);
  const error: RestError = { code: info.code || codeToName(ConnectError.from(err).code), message: info.message };
  if (info.type) error.type = info.type;
  if (info.field) error.field = info.field;
  if (info.tool) error.tool = info.tool;
  if (info.traceback) error.traceback = info.traceback;
  return error;
}

/** The HTTP status of a failure (400, 401, 403, 404, 429, 503, 504, ...). */
export function restStatus(err: unknown): number {
  return codeToHttpStatus(ConnectError.from(err).code);
}

/** INVALID_ARGUMENT for a REST body that is not what the route takes. */
export function badBody(problem: string): ConnectError {
  return new ConnectError(`invalid request body: ${problem}`, Code.InvalidArgument);
}

/** RESOURCE_EXHAUSTED for a body over the size limit. */
export function bodyTooLarge(maxBytes: number): ConnectError {
  return new ConnectError(`the request body is larger than ${maxBytes} bytes`, Code.ResourceExhausted);
}

/** INVALID_ARGUMENT for a query parameter that is not what the route takes. */
export function badQuery(problem: string): ConnectError {
  return new ConnectError(`invalid query: ${problem}`, Code.InvalidArgument);
}

/** RESOURCE_EXHAUSTED for a query string over the size limit. */
export function queryTooLong(maxBytes: number): ConnectError {
  return new ConnectError(`the query string is longer than ${maxBytes} bytes: POST the arguments instead`, Code.ResourceExhausted);
}
