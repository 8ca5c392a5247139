import { create, type JsonValue } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  fromValue,
  isVariableTypeName,
  type SetVariableOptions,
  type ToolContext,
  type ToolResult,
  toValue,
  type VariableView,
  variableTypeByName,
} from "@toolbridge/proto";
import {
  type Variable,
  VariableType,
  type VariableWrite,
  VariableWriteSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { createCallCancel, linkCancel } from "../call-cancel.js";
import { createEventQueue } from "../services/event-queue.js";
import type { ToolSink } from "../tools/tool.js";
import type { CallBridge, NestedCall, NestedOutput } from "./call-bridge.js";
import { type RunningCall, remainingMs } from "./running-call.js";

// Items a nested stream may hold for a TypeScript tool that reads it slowly; past it, the nested call stops.
const maxStreamBacklog = 10_000;

/** The ToolContext (proto/src/tool-definition.ts) of a TypeScript tool's call, over the runtime's bridge. */
export function createToolContext(call: RunningCall, bridge: CallBridge, sink: ToolSink | undefined): ToolContext {
  return {
    sessionId: call.grant.sessionId,
    requestId: call.requestId,
    get signal() {
      return call.cancel.signal;
    },
    timeRemainingMs: () => remainingMs(call),
    progress(fraction, message = "") {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new ConnectError(`progress fraction must be between 0 and 1, got ${fraction}`, Code.InvalidArgument);
      }
      sink?.progress(fraction, message);
    },
    async callTool(name, args = {}, options = {}) {
      return resultOf(await bridge.callTool(call, { tool: name, args, payload: options.payload }, call.cancel));
    },
    streamTool(name, args = {}, options = {}) {
      return streamOf(bridge, call, { tool: name, args, payload: options.payload });
    },
    async getVariable(name) {
      try {
        return viewOf(await bridge.getVariable(call, name, call.cancel));
      } catch (e) {
        if (e instanceof ConnectError && e.code === Code.NotFound) return undefined;
        throw e;
      }
    },
    async setVariable(name, value, options = {}) {
      return viewOf(await bridge.setVariable(call, writeOf(name, value, options), call.cancel));
    },
    deleteVariable(name) {
      return bridge.deleteVariable(call, name, call.cancel);
    },
    async listVariables() {
      return (await bridge.listVariables(call, call.cancel)).map(viewOf);
    },
  };
}

function resultOf(output: NestedOutput): ToolResult {
  return output.payload === undefined ? { value: output.value } : { value: output.value, payload: output.payload };
}

// The items of a nested stream as an async iterable; leaving the loop early stops the nested call.
function streamOf(bridge: CallBridge, call: RunningCall, nested: NestedCall): AsyncIterable<JsonValue | Uint8Array> {
  return {
    async *[Symbol.asyncIterator]() {
      const stopper = createCallCancel();
      const link = linkCancel(call.cancel, stopper.token);
      const items = createEventQueue<JsonValue | Uint8Array>(maxStreamBacklog);
      bridge
        .callTool(call, nested, link.token, (value, payload) => {
          if (!items.push(payload ?? value)) stopper.cancel(unreadItems(nested.tool));
        })
        .then(
          () => items.end(),
          (e) => items.fail(e),
        );
      try {
        yield* items;
      } finally {
        stopper.cancel(stoppedReading);
        link.unlink();
      }
    },
  };
}

const stoppedReading = new ConnectError("the tool stopped reading the stream", Code.Canceled);

function unreadItems(tool: string): ConnectError {
  return new ConnectError(`the stream of tool "${tool}" yielded more than ${maxStreamBacklog} items unread`, Code.ResourceExhausted);
}


function writeOf(name: string, value: JsonValue | Uint8Array, options: SetVariableOptions): VariableWrite {
  if (options.type !== undefined && !isVariableTypeName(options.type)) {
    throw new ConnectError(
      `unknown variable type "${options.type}"; one of ${Object.keys(variableTypeByName).join(", ")}`,
      Code.InvalidArgument,
    );
  }
  const type = options.type === undefined ? VariableType.UNSPECIFIED : variableTypeByName[options.type];
  const bytes = value instanceof Uint8Array;
  return create(VariableWriteSchema, {
    name,
    type: bytes && type === VariableType.UNSPECIFIED ? VariableType.BYTES : type,
    content: bytes ? { case: "bytesValue", value } : { case: "value", value: toValue(value) },
    metadata: options.metadata,
    expectedVersion: options.expectedVersion,
  });
}

function viewOf(variable: Variable): VariableView {
  const type = (VariableType[variable.type] ?? "UNSPECIFIED").toLowerCase();
  const view: VariableView = { name: variable.name, type, value: null, version: variable.version };
  if (variable.content.case === "bytesValue") view.bytesValue = variable.content.value;
  else if (variable.content.case === "value") view.value = fromValue(variable.content.value);
  return view;
}
