import { randomUUID } from "node:crypto";
import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToName, toValue } from "@toolbridge/proto";
import type { ExecuteToolResponse } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Admit, Caller } from "../auth/call-grant.js";
import type { CallCancel } from "../call-cancel.js";
import type { Logger } from "../log.js";
import { type Payload, payloadBytes, payloadLength } from "../payload.js";
import type { ToolCatalog } from "../tools/catalog.js";
import type { ToolOutput, ToolSink } from "../tools/tool.js";
import { canceled, deadlineExceeded, draining, payloadTooLarge, toolNotFound } from "./call-errors.js";

/** One tool call, whatever RPC carried it (ExecuteTool, StreamTool, an item of a batch). */
export interface ToolRequest {
  tool: string;
  args?: JsonObject;
  sessionId: string;
  requestId: string;
  /** The binary input; a large one may be in the pieces it was read in. */
  payload: Payload;
}

/** A call's response. A large binary result may stay in pieces: then `response.payload` is empty. */
export interface RunResult {
  response: ExecuteToolResponse;
  /** The binary result in pieces, to be sent after the rest of the response without copying. */
  pieces?: readonly Uint8Array[];
}

/** What the RPC around a call contributes: its cancellation, its deadline, its caller. */
export interface CallScope {
  /** Fires when the client cancels, its deadline passes, or the server shuts down. */
  cancel: CallCancel;
  /** Time left before the client's deadline, or undefined when it set none. */
  timeoutMs: number | undefined;
  /** Who is calling: decides what the call may do and what its callbacks act as. */
  caller?: Caller;
  /** The protocol the call came in by, for the debug line (e.g. "grpc", "connect-json/fast"). */
  protocol?: string;
}

/** The response with its payload in one buffer, as connect's handlers need it. */
export function whole({ response, pieces }: RunResult): ExecuteToolResponse {
  if (pieces !== undefined) response.payload = payloadBytes(pieces);
  return response;
}

/** Options of createToolRunner. */
export interface ToolRunnerOptions {
  /** The tools served. */
  catalog: ToolCatalog;
  /** This runtime's id, set in every response; read on each call, so it may be a getter filled in later. */
  readonly runtimeId: string;
  /** The longest a call may run; also the deadline of calls that set none. */
  maxTimeoutMs: number;
  /** Largest request payload. */
  maxMessageBytes: number;
  /** Decides what each call may do (session tokens, nested calls); throws PERMISSION_DENIED and the like. */
  admit: Admit;
  /** Gets one debug line per call. */
  log: Logger;
}

/** Runs tool calls: look-up, validation, deadline, timings, logging. The protocol-free core of ToolService. */
export interface ToolRunner {
  /** Runs one call; with a sink, a streaming tool's items go to it. Rejects with a ConnectError. */
  run(request: ToolRequest, scope: CallScope, sink?: ToolSink): Promise<RunResult>;
  /** Like run, for callers in this process (nested calls): the tool's output as it is, no response message. */
  invoke(request: ToolRequest, scope: CallScope, sink?: ToolSink): Promise<ToolOutput>;
  /** Calls running now. */
  inFlight(): number;
  /** Refuses new calls (UNAVAILABLE) and resolves once the running ones have ended. */
  drain(): Promise<void>;
}

const emptyBytes = new Uint8Array(0);

/** A ToolRunner over a catalog. */
export function createToolRunner(options: ToolRunnerOptions): ToolRunner {
  const { catalog, maxTimeoutMs, maxMessageBytes, admit, log } = options;
  let running = 0;
  let draining_ = false;
  let idle: (() => void) | undefined;

  // Everything about a call but the shape of its answer: look-up, admission, validation, deadline, logging.
  async function invoke(request: ToolRequest, scope: CallScope, sink: ToolSink | undefined, requestId: string): Promise<ToolOutput> {
    const start = performance.now();
    const name = request.tool;
    // Deadline: the client's, capped; a call without one gets the cap.
    const clientTimeout = scope.timeoutMs;
    const timeoutMs = clientTimeout === undefined || clientTimeout > maxTimeoutMs ? maxTimeoutMs : clientTimeout;
    running++;
    try {
      // A call made from inside a running call is let through while draining: its parent is one of those finishing.
      if (draining_ && scope.caller?.kind !== "nested") throw draining();
      const grant = admit(scope.caller, name, request.sessionId);
      const entry = catalog.get(name);
      if (entry === undefined) throw toolNotFound(name);
      const payloadSize = payloadLength(request.payload);
      const payload = payloadSize > 0 ? request.payload : undefined;
      if (payloadSize > maxMessageBytes) throw payloadTooLarge(name, payloadSize, maxMessageBytes);
      const args = request.args ?? {};
      const invalid = entry.validate(args);
      if (invalid !== undefined) throw invalid;
      if (scope.cancel.reason !== undefined) throw scope.cancel.reason;
      if (timeoutMs <= 0) throw deadlineExceeded(name, 0);
      const output = await entry.tool.invoke(
        {
          args,
          payload,
          sessionId: grant.sessionId,
          requestId,
          timeoutMs,
          cancel: scope.cancel,
          stream: sink !== undefined,
          grant,
        },
        sink,
      );
      if (log.debugEnabled) {
        const ms = (performance.now() - start).toFixed(2);
        log.debug(`call tool=${name} code=ok ms=${ms} request=${requestId} protocol=${scope.protocol}`);
      }
      return output;
    } catch (e) {
      const error = describe(ConnectError.from(e), name, timeoutMs);
      if (log.debugEnabled) {
        const ms = (performance.now() - start).toFixed(2);
        log.debug(`call tool=${name} code=${codeToName(error.code)} ms=${ms} request=${requestId} protocol=${scope.protocol}`);
      }
      throw error;
    } finally {
      running--;
      if (running === 0 && idle !== undefined) idle();
    }
  }

  async function run(request: ToolRequest, scope: CallScope, sink?: ToolSink): Promise<RunResult> {
    const start = performance.now();
    const requestId = request.requestId === "" ? randomUUID() : request.requestId;
    const output = await invoke(request, scope, sink, requestId);
    const out = output.payload;
    const pieces = out !== undefined && Array.isArray(out) ? (out as readonly Uint8Array[]) : undefined;
    const response: ExecuteToolResponse = {
      $typeName: "toolbridge.v1.ExecuteToolResponse",
      // A bytes-only result has no JSON value; one with both keeps both.
      result: out !== undefined && output.value === null ? undefined : toValue(output.value),
      payload: out === undefined || pieces !== undefined ? emptyBytes : (out as Uint8Array),
      timings: {
        $typeName: "toolbridge.v1.Timings",
        queueMs: output.queueMs,
        runMs: output.runMs,
        totalMs: performance.now() - start,
      },
      requestId,
      runtimeId: options.runtimeId,
    };
    return pieces === undefined ? { response } : { response, pieces };
  }

  return {
    run,
    invoke: (request, scope, sink) => invoke(request, scope, sink, request.requestId === "" ? randomUUID() : request.requestId),
    inFlight: () => running,
    drain() {
      draining_ = true;
      if (running === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idle = resolve;
      });
    },
  };
}

// The abort reasons connect gives ("the operation timed out", a bare abort) say little; name the tool instead.
function describe(error: ConnectError, tool: string, timeoutMs: number): ConnectError {
  if (error.details.length > 0) return error;
  if (error.code === Code.DeadlineExceeded) return deadlineExceeded(tool, timeoutMs);
  if (error.code === Code.Canceled) return canceled(tool);
  return error;
}
