import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { type ToolCall, type ToolResult, toValue } from "@toolbridge/proto";
import type {
  ExecuteToolRequest,
  ExecuteToolResponse,
  StreamToolRequest,
  StreamToolResponse,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Principal } from "../auth/principal.js";
import type { CallScope } from "../routing/tool-dispatch.js";
import type { SessionVariables } from "../sessions/session-variables.js";
import { type CallSignal, createCallSignal } from "./call-signal.js";
import { fromToolFailure, resultNotJson, toolCancelled, toolDeadlineExceeded } from "./errors.js";
import { createEventChannel } from "./event-channel.js";
import type { GatewayTool } from "./gateway-tools.js";
import { createToolContext, type NestedCalls } from "./tool-context.js";

/** The runtime id in the responses of gateway tools (they run in the gateway, not on a runtime). */
export const gatewayRuntimeId = "gateway";

/** Options of createGatewayToolRunner. */
export interface GatewayToolRunnerOptions {
  /** Where the tools' nested calls go (the gateway's dispatch). */
  calls: NestedCalls;
  /** Session variables for the tools' contexts. */
  variables: SessionVariables;
  /** Longest a call may run; also the deadline of calls that set none. */
  maxTimeoutMs: number;
}

/**
 * Runs the gateway's own TypeScript tools in process, after the dispatch's permission and session
 * checks: the arguments against the tool's schema, the deadline and cancellation (the tool's
 * ctx.signal, and the caller is answered at the deadline even if the tool ignores it), the result as
 * an ExecuteToolResponse or a stream of events, and failures mapped by errors.ts.
 */
export interface GatewayToolRunner {
  /** Runs a unary call (a streaming tool's items become a list, its bytes one binary result). */
  execute(tool: GatewayTool, principal: Principal, request: ExecuteToolRequest, scope: CallScope): Promise<ExecuteToolResponse>;
  /** Runs a streaming call: chunks and progress, then the result (a unary tool sends only its result). */
  stream(tool: GatewayTool, principal: Principal, request: StreamToolRequest, scope: CallScope): AsyncIterable<StreamToolResponse>;
}

const emptyBytes = new Uint8Array(0);

/** A GatewayToolRunner. */
export function createGatewayToolRunner(options: GatewayToolRunnerOptions): GatewayToolRunner {
  const { calls, variables, maxTimeoutMs } = options;

  /** The checks before a call runs, its signal and its context. */
  function begin(tool: GatewayTool, principal: Principal, request: ExecuteToolRequest | StreamToolRequest, scope: CallScope, progress?: (fraction: number, message: string) => void) {
    const name = tool.info.name;
    const timeoutMs = Math.min(scope.timeoutMs ?? maxTimeoutMs, maxTimeoutMs);
    if (scope.signal?.aborted) throw toolCancelled(name);
    if (timeoutMs <= 0) throw toolDeadlineExceeded(name, 0);
    const args: JsonObject = request.args ?? {};
    const invalid = tool.validate(args);
    if (invalid !== undefined) throw invalid;
    const requestId = request.requestId || crypto.randomUUID();
    const call = createCallSignal(name, timeoutMs, scope.signal);
    const ctx = createToolContext({ tool: name, principal, sessionId: request.sessionId, requestId, call, calls, variables, progress });
    const toolCall: ToolCall = { args, payload: request.payload, ctx };
    return { name, requestId, call, toolCall };
  }

  function response(output: ToolResult, name: string, requestId: string, started: number, runStarted: number): ExecuteToolResponse {
    const payload = output.payload ?? emptyBytes;
    let result;
    try {
      // A bytes-only result has no JSON value, as from a runtime.
      result = output.payload !== undefined && output.value === null ? undefined : toValue(output.value);
    } catch (err) {
      throw resultNotJson(name, ConnectError.from(err).rawMessage);
    }
    const now = performance.now();
    return {
      $typeName: "toolbridge.v1.ExecuteToolResponse",
      result,
      payload,
      timings: { $typeName: "toolbridge.v1.Timings", queueMs: 0, runMs: now - runStarted, totalMs: now - started },
      requestId,
      runtimeId: gatewayRuntimeId,
    };
  }

  return {
    async execute(tool, principal, request, scope) {
      const started = performance.now();
      const { name, requestId, call, toolCall } = begin(tool, principal, request, scope);
      try {
        const runStarted = performance.now();
        const { run, stream } = tool.definition;
        const work = run !== undefined ? Promise.resolve().then(() => run(toolCall)).then(resultOf) : collect(stream!(toolCall), call);
        const output = await Promise.race([work, call.aborted]);
        return response(output, name, requestId, started, runStarted);
      } catch (err) {
        throw failure(err, call, name);
      } finally {
        call.dispose();
      }
    },

    async *stream(tool, principal, request, scope) {
      const started = performance.now();
      const channel = createEventChannel<StreamToolResponse>();
      const { name, requestId, call, toolCall } = begin(tool, principal, request, scope, (fraction, message) =>
        channel.report({
          $typeName: "toolbridge.v1.StreamToolResponse",
          event: { case: "progress", value: { $typeName: "toolbridge.v1.ToolProgress", fraction, message } },
        }),
      );
      const runStarted = performance.now();
      const iterator = tool.definition.stream?.(toolCall)[Symbol.asyncIterator]();
      const pump = async () => {
        let output: ToolResult;
        if (iterator === undefined) {
          output = resultOf(await tool.definition.run!(toolCall));
        } else {
          for (let index = 0; ; index++) {
            const next = await iterator.next();
            if (next.done) {
              output = resultOf(next.value);
              break;
            }
            await channel.send(chunkOf(next.value, index, name));
          }
        }
        await channel.send({
          $typeName: "toolbridge.v1.StreamToolResponse",
          event: { case: "result", value: response(output, name, requestId, started, runStarted) },
        });
        channel.close();
      };
      Promise.resolve()
        .then(pump)
        .catch((err: unknown) => channel.fail(err));
      let finished = false;
      try {
        for (;;) {
          const next = await Promise.race([channel.next(), call.aborted]);
          if (next.done) break;
          yield next.value;
        }
        finished = true;
      } catch (err) {
        throw failure(err, call, name);
      } finally {
        // The caller left early, or the call failed: stop the tool too.
        if (!finished) {
          call.end(toolCancelled(name));
          iterator?.return?.(undefined).catch(() => {});
        }
        call.dispose();
      }
    },
  };
}

/** The error to give the caller: the call's own end (deadline, cancellation) as it is, else the tool's failure mapped. */
function failure(err: unknown, call: CallSignal, name: string): ConnectError {
  if (call.signal.aborted && err === call.signal.reason) return err as ConnectError;
  return fromToolFailure(err, name);
}

/** A tool's return value as a ToolResult: bytes alone, `{value, payload}` with bytes, or a JSON value. */
function resultOf(returned: unknown): ToolResult {
  if (returned === undefined) return { value: null };
  if (returned instanceof Uint8Array) return { value: null, payload: returned };
  if (typeof returned === "object" && returned !== null && !Array.isArray(returned)) {
    const candidate = returned as Partial<ToolResult>;
    if (candidate.payload instanceof Uint8Array && "value" in candidate) return { value: candidate.value ?? null, payload: candidate.payload };
  }
  return { value: returned as JsonValue };
}

/** A unary call of a streaming tool: its JSON items as a list, its bytes items joined as the binary result. */
async function collect(items: AsyncIterable<JsonValue | Uint8Array>, call: CallSignal): Promise<ToolResult> {
  const values: JsonValue[] = [];
  const bytes: Uint8Array[] = [];
  const iterator = items[Symbol.asyncIterator]();
  const stop = () => iterator.return?.(undefined).catch(() => {});
  call.signal.addEventListener("abort", stop, { once: true });
  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      if (next.value instanceof Uint8Array) bytes.push(next.value);
      else values.push(next.value);
    }
  } finally {
    call.signal.removeEventListener("abort", stop);
  }
  if (bytes.length === 0) return { value: values };
  const payload = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bytes) {
    payload.set(b, at);
    at += b.byteLength;
  }
  return { value: values.length > 0 ? values : null, payload };
}

function chunkOf(item: JsonValue | Uint8Array, index: number, name: string): StreamToolResponse {
  let data;
  if (!(item instanceof Uint8Array)) {
    try {
      data = toValue(item);
    } catch (err) {
      throw resultNotJson(name, ConnectError.from(err).rawMessage);
    }
  }
  return {
    $typeName: "toolbridge.v1.StreamToolResponse",
    event: {
      case: "chunk",
      value: { $typeName: "toolbridge.v1.ToolChunk", index, data, payload: item instanceof Uint8Array ? item : emptyBytes },
    },
  };
}
