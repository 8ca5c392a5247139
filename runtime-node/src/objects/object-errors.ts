// Failures of the object bridge decided by the runtime, with their codes (the worker's own come as error frames).
import { Code, ConnectError } from "@connectrpc/connect";
import { errorInfoOf, toolError } from "@toolbridge/proto";
import type { WorkerLabel } from "../pool/worker-errors.js";

function workerName(worker: WorkerLabel): string {
  return `Python worker ${worker.index} (pid ${worker.pid ?? "?"})`;
}

/** PERMISSION_DENIED: a module or class outside the configured prefixes. */
export function notReachable(what: string, prefixes: readonly string[]): ConnectError {
  const now =
    prefixes.length === 0
      ? "the object bridge allows no modules on this runtime; start it with --object-module <prefix> (TOOLBRIDGE_OBJECT_MODULES)"
      : `add its module (or a parent package) with --object-module (TOOLBRIDGE_OBJECT_MODULES), which allows: ${prefixes.join(", ")}`;
  return new ConnectError(`${what} is not reachable: ${now}`, Code.PermissionDenied);
}

/** PERMISSION_DENIED: a private or dunder name. */
export function privateName(what: string): ConnectError {
  return new ConnectError(`${what} is private: the object bridge reaches public names only (no leading '_')`, Code.PermissionDenied);
}

/** INVALID_ARGUMENT: a request without a field it needs. */
export function missing(field: string, example: string): ConnectError {
  return new ConnectError(`${field} is required, e.g. ${example}`, Code.InvalidArgument);
}

/** FAILED_PRECONDITION: the session's objects lived in a worker that has ended. */
export function objectsLost(session: string, worker: WorkerLabel): ConnectError {
  return new ConnectError(
    `the objects of session '${session}' were lost with their worker: ${workerName(worker)} ended; ` +
      "the session's next CreateInstance starts afresh on a live worker",
    Code.FailedPrecondition,
  );
}

/** A NOT_FOUND from a worker for a session that lost objects before: say so. */
export function notFoundAfterLoss(error: ConnectError, lost: WorkerLabel): ConnectError {
  const { message, type, traceback, field, tool } = errorInfoOf(error);
  const why = `${message} (objects this session created before ${workerName(lost)} ended were lost with it)`;
  return toolError(error.code, why, { type, traceback, field, tool });
}

/** NOT_FOUND: a handle in a session that has no objects on this runtime. */
export function noObjects(session: string, handle: string): ConnectError {
  return new ConnectError(`no object '${handle}' in session '${session}': the session has no objects on this runtime`, Code.NotFound);
}

/** UNAVAILABLE: no worker is ready to hold a session's objects. */
export function noWorkerReady(): ConnectError {
  return new ConnectError("no Python worker is ready; retry", Code.Unavailable);
}

/** RESOURCE_EXHAUSTED: arguments too large to send to a worker. */
export function argumentsTooLarge(bytes: number, limit: number): ConnectError {
  return new ConnectError(`the arguments are ${bytes} bytes as JSON, over the ${limit}-byte limit`, Code.ResourceExhausted);
}
