import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { CallCancel } from "../call-cancel.js";
import type { Payload } from "../payload.js";
import type { ConnectError } from "@connectrpc/connect";
import type { CancelReason, WorkerExit, WorkerLabel } from "./worker-errors.js";

/** One tool call as a worker receives it (the `call` frame, plus what stays in the runtime). */
export interface WorkerCall {
  /** Tool name. */
  tool: string;
  /** Keyword arguments, already validated. */
  args: JsonObject;
  /** Request payload, sent as the frame body without copying. */
  payload: Payload | undefined;
  /** Session id, or "". */
  session: string;
  /** Request id, or "". */
  request: string;
  /** Time the tool has, or null for none. The pool fails the call with DEADLINE_EXCEEDED when it passes. */
  timeoutMs: number | null;
  /** True for StreamTool: yields travel as chunk frames. */
  stream: boolean;
  /** Opaque to the pool: who is calling, for the callback handler (session permissions, depth). Never sent to Python. */
  context?: unknown;
  /**
   * Made from inside another call (a nested call): it runs at once on the least-loaded worker, past the concurrency
   * limit, and is written without batching, because its parent holds a slot while it waits for it (see WorkerPool).
   */
  nested?: boolean;
}

/** How a call ended well. */
export interface CallOutcome {
  /** The result value (null when the result is only binary). */
  value: JsonValue;
  /** The binary result, when the tool returned bytes (a large one in the pieces it was read in). */
  payload: Payload | undefined;
  /** Time the tool ran, as the worker measured it. */
  runMs: number;
}

/** Receives what a worker reports about one call. `end` is called exactly once. */
export interface CallListener {
  /** An item a streaming tool yielded: a JSON value, or bytes in `payload`. */
  chunk?(value: JsonValue, payload: Buffer | undefined): void;
  /** A progress report. */
  progress?(fraction: number, message: string): void;
  /** The call ended: with an error, or with its outcome. */
  end(error: ConnectError | undefined, outcome?: CallOutcome): void;
}

/** A callback a tool makes into toolbridge from inside a call (a `callback` frame). */
export interface CallbackRequest {
  /** What it asks for: "get_variable", "call_tool", ... */
  op: string;
  /** The op's parameters. */
  params: Record<string, unknown>;
  /** The frame body: a bytes value or a payload; undefined unless the frame said `binary: true`. */
  body: Buffer | undefined;
  /** The call the callback belongs to: its session, deadline and caller are the callback's. */
  call: WorkerCall;
}

/** Answers one callback. Only the first of reply/fail counts; chunks before it are for stream ops. */
export interface CallbackResponder {
  /** Fires (CANCELED) when the worker sends callback_cancel or the call ends. */
  readonly cancel: CallCancel;
  /** One item of a streaming op (`reply_chunk`): a JSON value, or bytes as `body` (value null). */
  chunk(value: JsonValue, body?: Uint8Array): void;
  /**
   * The answer (`reply`). With `body`, the reply is binary and `value` still travels beside it: null for a bare
   * binary result, the Variable of a bytes variable, or the JSON half of a result with both.
   */
  reply(value: JsonValue, body?: Uint8Array): void;
  /** The answer is an error. */
  fail(error: ConnectError): void;
}

/** Serves the callbacks of Python tools. The runtime injects it; see createUnsupportedCallbacks for the default. */
export type CallbackHandler = (request: CallbackRequest, responder: CallbackResponder) => void;

/** A tool as a worker describes it in `ready`: the JSON form of toolbridge.v1.ToolInfo. */
export type WorkerToolInfo = JsonObject;

/** An object-bridge request: an `object` frame without its id (python/PROTOCOL.md, Objects). */
export type ObjectFrame = { op: string } & Record<string, unknown>;

/** One worker process as the pool sees it. The real one is a Python child; tests inject fakes. */
export interface PoolWorker {
  /** Slot and pid, for messages. The pid is known once the process has started. */
  readonly label: WorkerLabel;
  /** Resolves with the worker's tools when it is ready; rejects when it cannot start. */
  readonly ready: Promise<WorkerToolInfo[]>;
  /** Resolves once the process has ended and every call on it has been ended. */
  readonly exited: Promise<WorkerExit>;
  /** Starts a call; the listener hears about it until `end`. Returns the call's id on this worker. */
  call(call: WorkerCall, listener: CallListener): number;
  /** Sends an object-bridge request; it ends through the listener like a call (its result value is the answer). */
  object(frame: ObjectFrame, listener: CallListener): number;
  /** Asks the worker to stop a call (a cancel frame); the call still ends through its listener. */
  cancel(id: number, reason: CancelReason): void;
  /** Graceful stop: no more calls; the worker finishes the ones it has and exits. */
  close(): void;
  /** Immediate stop (SIGKILL). */
  kill(): void;
}
