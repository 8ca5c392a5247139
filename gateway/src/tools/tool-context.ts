import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { fromValue, type ToolContext, type ToolResult, type VariableView } from "@toolbridge/proto";
import {
  type ExecuteToolRequest,
  ExecuteToolRequestSchema,
  type ExecuteToolResponse,
  type StreamToolRequest,
  StreamToolRequestSchema,
  type StreamToolResponse,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Principal } from "../auth/principal.js";
import type { CallScope } from "../routing/tool-dispatch.js";
import type { SessionVariables } from "../sessions/session-variables.js";
import { type Variable, type VariableType, variableTypes } from "../variables/variable.js";
import type { CallSignal } from "./call-signal.js";
import { noSession, unknownVariableType } from "./errors.js";

/** The calls a gateway tool's context makes: the gateway's own dispatch, with its checks and routing. */
export interface NestedCalls {
  /** Runs a unary call. */
  execute(principal: Principal, call: ExecuteToolRequest, scope: CallScope): Promise<ExecuteToolResponse>;
  /** Runs a streaming call. */
  stream(principal: Principal, call: StreamToolRequest, scope: CallScope): AsyncIterable<StreamToolResponse>;
}

/** Options of createToolContext. */
export interface ToolContextOptions {
  /** The tool being run (the next link of the call chain). */
  tool: string;
  /** Who called it. */
  principal: Principal;
  /** The call's session; "" for none. */
  sessionId: string;
  /** The call's request id. */
  requestId: string;
  /** The call's cancellation and deadline. */
  call: CallSignal;
  /** Where nested calls go. */
  calls: NestedCalls;
  /** Session variables, behind the same ownership check as the VariableService. */
  variables: SessionVariables;
  /** Receives progress reports (streaming calls); absent for unary ones. */
  progress?: (fraction: number, message: string) => void;
}

const maxProgressMessage = 1000;

/**
 * The ToolContext of one gateway tool call. Nested calls run with the caller's principal and the
 * chain extended by this tool, through the same dispatch as any call: the caller's allowlist holds,
 * a cycle is FAILED_PRECONDITION and nesting past the limit RESOURCE_EXHAUSTED (auth/call-context.ts),
 * and they get what is left of this call's deadline and end when it is cancelled.
 */
export function createToolContext(options: ToolContextOptions): ToolContext {
  const { tool, principal, sessionId, requestId, call, calls, variables } = options;
  const nested: Principal = { ...principal, chain: [...principal.chain, tool] };
  let calls_ = 0;
  const scope = (): CallScope => ({ signal: call.signal, timeoutMs: Math.max(0, call.deadline - Date.now()) });
  const nextRequestId = () => `${requestId}.${++calls_}`;
  const session = () => {
    if (sessionId === "") throw noSession(tool);
    return sessionId;
  };

  return {
    sessionId,
    requestId,
    signal: call.signal,
    timeRemainingMs: () => Math.max(0, call.deadline - Date.now()),

    progress(fraction, message = "") {
      if (options.progress === undefined || !Number.isFinite(fraction)) return;
      options.progress(Math.min(1, Math.max(0, fraction)), String(message).slice(0, maxProgressMessage));
    },

    async callTool(name, args = {}, callOptions = {}): Promise<ToolResult> {
      const request = create(ExecuteToolRequestSchema, {
        tool: name,
        args,
        sessionId,
        requestId: nextRequestId(),
        payload: callOptions.payload,
      });
      const response = await calls.execute(nested, request, scope());
      const result: ToolResult = { value: response.result === undefined ? null : fromValue(response.result) };
      if (response.payload.byteLength > 0) result.payload = response.payload;
      return result;
    },

    async *streamTool(name: string, args: JsonObject = {}, callOptions: { payload?: Uint8Array } = {}) {
      const request = create(StreamToolRequestSchema, {
        tool: name,
        args,
        sessionId,
        requestId: nextRequestId(),
        payload: callOptions.payload,
      });
      for await (const message of calls.stream(nested, request, scope())) {
        const event = message.event;
        if (event.case !== "chunk") continue;
        const chunk = event.value;
        yield chunk.payload.byteLength > 0 ? chunk.payload : (fromValue(chunk.data) as JsonValue);
      }
    },

    async getVariable(name) {
      const variable = await variables.get(principal, session(), name);
      return variable && view(variable);
    },

    async setVariable(name, value, setOptions = {}) {
      const type = typeOf(name, value, setOptions.type);
      const result = await variables.commit(principal, session(), {
        writes: [{ name, type, value, metadata: setOptions.metadata, expectedVersion: setOptions.expectedVersion }],
      });
      return view(result.variables[0]);
    },

    async deleteVariable(name) {
      const result = await variables.commit(principal, session(), { deletes: [{ name }] });
      return result.deleted.length > 0;
    },

    async listVariables() {
      return (await variables.list(principal, session())).map(view);
    },
  };
}

// A bytes value needs no declared type (it can only be bytes); any other value takes the type given,
// or the stored one (a new variable without a type is refused by the store, as from any client).
function typeOf(name: string, value: JsonValue | Uint8Array, given: string | undefined): VariableType | undefined {
  if (given === undefined) return value instanceof Uint8Array ? "bytes" : undefined;
  if (!(variableTypes as readonly string[]).includes(given)) throw unknownVariableType(name, given);
  return given as VariableType;
}

function view(variable: Variable): VariableView {
  const { value } = variable;
  if (value instanceof Uint8Array) return { name: variable.name, type: variable.type, value: null, bytesValue: value, version: variable.version };
  return { name: variable.name, type: variable.type, value, version: variable.version };
}
