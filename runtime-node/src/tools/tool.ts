import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ToolInfo } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { CallGrant } from "../auth/call-grant.js";
import type { CallCancel } from "../call-cancel.js";
import type { Payload } from "../payload.js";

/** One call of a tool, as every kind of tool (Python, TypeScript) receives it. */
export interface ToolInvocation {
  /** Keyword arguments, already validated against the tool's parameter schema. */
  args: JsonObject;
  /** The request's binary payload, for the tool's payload parameter (payloadBytes joins a large one's pieces). */
  payload: Payload | undefined;
  /** Session id, or "". */
  sessionId: string;
  /** Request id (the caller's or a generated one). */
  requestId: string;
  /**
   * Time the call has, in milliseconds; the tool must stop when it passes (the client's deadline, capped by
   * the runtime's). `cancel` need not fire then: a tool that wants one AbortSignal for both can combine
   * `cancel.signal` with AbortSignal.timeout. (Python tools get it from the pool's timer.)
   */
  timeoutMs: number;
  /** Fires with a ConnectError (CANCELED, the client's DEADLINE_EXCEEDED, or UNAVAILABLE on shutdown). */
  cancel: CallCancel;
  /** True for StreamTool: yields reach the sink as chunks. False: a streaming tool's items become a list. */
  stream: boolean;
  /** What the call may do (session, allowlist, chain); its callbacks and nested calls run with it. */
  grant: CallGrant;
}

/** Where a tool reports what happens before its result. */
export interface ToolSink {
  /** One item the tool yielded: a JSON value, or bytes in `payload`. */
  chunk(value: JsonValue, payload: Uint8Array | undefined): void;
  /** A progress report, fraction between 0 and 1. */
  progress(fraction: number, message: string): void;
}

/** A tool's result with how long it waited and ran. */
export interface ToolOutput {
  /** The JSON result (null when the result is binary). */
  value: JsonValue;
  /** The binary result, when the tool returned bytes. */
  payload: Payload | undefined;
  /** Time the call waited for a worker. */
  queueMs: number;
  /** Time the tool ran. */
  runMs: number;
}

/** A tool the runtime serves, whatever runs it. */
export interface Tool {
  /** Name, description, schemas. */
  readonly info: ToolInfo;
  /** Runs one call. Rejects with a ConnectError. */
  invoke(invocation: ToolInvocation, sink?: ToolSink): Promise<ToolOutput>;
}
