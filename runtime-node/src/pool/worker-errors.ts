// Every failure of a Python worker or its child process, as the error a caller (or the start-up) sees.
// This is the one place where worker and pool failures become Connect codes.
import { Code, ConnectError } from "@connectrpc/connect";
import { codeFromName, toolError } from "@toolbridge/proto";

/** How a worker process ended. */
export interface WorkerExit {
  /** Exit status, when it exited by itself. */
  code: number | null;
  /** The signal that ended it, e.g. "SIGKILL". */
  signal: NodeJS.Signals | null;
}

/** Which worker, for messages: its slot in the pool and its process id. */
export interface WorkerLabel {
  index: number;
  pid: number | undefined;
}

/** Why a call is cancelled, as the `reason` of a cancel frame. */
export type CancelReason = "deadline_exceeded" | "canceled";

function name(worker: WorkerLabel): string {
  return `worker ${worker.index} (pid ${worker.pid ?? "?"})`;
}

function how(exit: WorkerExit): string {
  return exit.signal !== null ? `was killed by ${exit.signal}` : `exited with status ${exit.code}`;
}

/** A call that was running on a worker when the worker died. */
export function workerDied(worker: WorkerLabel, exit: WorkerExit): ConnectError {
  return new ConnectError(
    `Python ${name(worker)} ${how(exit)} while running the call; the worker is being restarted, retry the call`,
    Code.Unavailable,
  );
}

/** A request for a worker that has already ended. */
export function workerGone(worker: WorkerLabel): ConnectError {
  return new ConnectError(`Python ${name(worker)} has ended`, Code.Unavailable);
}

/** A call on a worker whose output could no longer be decoded; the worker is being replaced. */
export function workerProtocolError(worker: WorkerLabel, detail: string): ConnectError {
  return new ConnectError(
    `Python ${name(worker)} broke the worker protocol (${detail}); it is being replaced, retry the call`,
    Code.Unavailable,
  );
}

/** The `error` frame a worker ended a call with. */
export function workerCallError(frame: Record<string, unknown>, tool: string): ConnectError {
  const str = (key: string) => (typeof frame[key] === "string" ? (frame[key] as string) : "");
  const code = codeFromName(str("code"));
  return toolError(code, str("message") || "the tool failed without a message", {
    type: str("type"),
    traceback: str("traceback"),
    field: str("field"),
    tool,
  });
}

/** A result body over the message limit, refused by the runtime. */
export function resultTooLarge(bodyLength: number, maxBytes: number, tool: string): ConnectError {
  return toolError(
    Code.ResourceExhausted,
    `the result of tool "${tool}" is ${bodyLength} bytes, over the ${maxBytes}-byte message limit`,
    { tool },
  );
}

/** A call that arrives while every worker is busy and the queue is full. */
export function queueFull(maxQueue: number): ConnectError {
  return new ConnectError(
    `every Python worker is busy and ${maxQueue} calls are already waiting; retry later`,
    Code.ResourceExhausted,
  );
}

/** A call that arrives, or was waiting, while the pool shuts down. */
export function poolStopping(): ConnectError {
  return new ConnectError("the runtime is shutting down; retry the call on another runtime", Code.Unavailable);
}

/** A call while no worker is running (all of them are restarting). Only returned when the queue cannot hold it. */
export function noWorkers(): ConnectError {
  return new ConnectError("no Python worker is running; retry the call", Code.Unavailable);
}

/** The error a caller gets when its call was cancelled or ran past its deadline, from the abort reason. */
export function abortError(reason: unknown): ConnectError {
  if (reason instanceof ConnectError) return reason;
  return new ConnectError("the call was cancelled by the client", Code.Canceled);
}

/** A call whose time ran out in the runtime (its deadline, or the runtime's cap on it). */
export function deadlinePassed(timeoutMs: number): ConnectError {
  return new ConnectError(`the call did not finish within its deadline of ${timeoutMs} ms`, Code.DeadlineExceeded);
}

/** The cancel-frame reason for an abort. */
export function cancelReason(error: ConnectError): CancelReason {
  return error.code === Code.DeadlineExceeded ? "deadline_exceeded" : "canceled";
}

/** A worker that reported `fatal` at start-up: the module did not import or a tool is ill-defined. */
export function workerFatal(frame: Record<string, unknown>): Error {
  const message = typeof frame.message === "string" ? frame.message : "the worker reported a fatal error";
  const type = typeof frame.type === "string" && frame.type !== "" ? ` (${frame.type})` : "";
  return new Error(`Python worker failed to start: ${message}${type}`);
}

/** A worker process that could not be spawned, e.g. the Python executable does not exist. */
export function spawnFailed(python: string, error: NodeJS.ErrnoException): Error {
  const why = error.code === "ENOENT" ? "not found" : error.message;
  return new Error(`cannot start Python worker: the Python executable "${python}" ${error.code === "ENOENT" ? "was " : ""}${why}`);
}

/** A worker that ended before it said `ready`. `stderr` is its last output, which usually says why. */
export function exitedBeforeReady(worker: WorkerLabel, exit: WorkerExit, stderr: string): Error {
  const tail = stderr.trim().split("\n").slice(-3).join(" | ");
  return new Error(`Python ${name(worker)} ${how(exit)} before it was ready${tail ? `: ${tail}` : ""}`);
}

/** A worker that did not say `ready` in time. */
export function readyTimeout(worker: WorkerLabel, ms: number): Error {
  return new Error(`Python ${name(worker)} did not report ready within ${ms} ms`);
}
