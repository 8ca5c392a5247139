import { type JsonObject, toJson } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { type CallCancel, linkCancel } from "../call-cancel.js";
import type { CallbackHandler, CallbackRequest, CallbackResponder } from "../pool/worker-interface.js";
import { badCallback, unknownCallback } from "./bridge-errors.js";
import type { CallBridge, ChunkListener } from "./call-bridge.js";
import type { RunningCall } from "./running-call.js";
import { listedVariable, variableReply, writeFromParams } from "./variable-json.js";

/**
 * Answers the `callback` frames of Python tools (python/PROTOCOL.md, Callbacks) through the bridge: each op's
 * params become a bridge request made with the rights of the call, and its answer a `reply` (or `reply_chunk`s).
 * A callback ends when the tool cancels it, when its call ends, or when its call is cancelled.
 */
export function createPythonCallbacks(bridge: CallBridge): CallbackHandler {
  return (request, responder) => {
    const from = request.call.context as RunningCall;
    const link = linkCancel(responder.cancel, from.cancel);
    let answer: Promise<void>;
    try {
      answer = serve(bridge, request, responder, from, link.token);
    } catch (e) {
      answer = Promise.reject(e);
    }
    answer.then(link.unlink, (e: unknown) => {
      link.unlink();
      responder.fail(ConnectError.from(e));
    });
  };
}

function serve(
  bridge: CallBridge,
  request: CallbackRequest,
  responder: CallbackResponder,
  from: RunningCall,
  cancel: CallCancel,
): Promise<void> {
  const { op, params, body } = request;
  switch (op) {
    case "get_variable":
      return bridge.getVariable(from, nameOf(op, params), cancel).then((variable) => {
        const { value, body: bytes } = variableReply(variable);
        responder.reply(value, bytes);
      });
    case "set_variable":
      // The reply need not carry a bytes value back: the tool knows it.
      return bridge
        .setVariable(from, writeFromParams(params, body), cancel)
        .then((variable) => responder.reply(listedVariable(variable)));
    case "delete_variable":
      return bridge.deleteVariable(from, nameOf(op, params), cancel).then((deleted) => responder.reply({ deleted }));
    case "list_variables":
      return bridge.listVariables(from, cancel).then((variables) => responder.reply({ variables: variables.map(listedVariable) }));
    case "list_tools":
      return bridge
        .listTools(from, cancel)
        .then((tools) => responder.reply({ tools: tools.map((t) => toJson(ToolInfoSchema, t) as JsonObject) }));
    case "call_tool":
    case "stream_tool": {
      const tool = params.tool;
      if (typeof tool !== "string" || tool === "") throw badCallback(op, "it names no tool");
      const args = params.args ?? {};
      if (typeof args !== "object" || args === null || Array.isArray(args)) throw badCallback(op, "its args are not an object");
      const onChunk: ChunkListener | undefined = op === "stream_tool" ? (value, payload) => responder.chunk(value, payload) : undefined;
      return bridge
        .callTool(from, { tool, args: args as JsonObject, payload: body }, cancel, onChunk)
        .then((output) => responder.reply(output.value, output.payload));
    }
    default:
      throw unknownCallback(op);
  }
}

function nameOf(op: string, params: Record<string, unknown>): string {
  const { name } = params;
  if (typeof name !== "string" || name === "") throw badCallback(op, "it names no variable");
  return name;
}
