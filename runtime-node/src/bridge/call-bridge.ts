import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { fromValue } from "@toolbridge/proto";
import type { ExecuteToolResponse, ToolInfo } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Variable, VariableWrite } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import type { CallCancel } from "../call-cancel.js";
import { payloadBytes } from "../payload.js";
import type { ToolRunner } from "../services/tool-runner.js";
import type { ToolCatalog } from "../tools/catalog.js";
import { badGatewayAnswer, fromGateway, noGateway, noSession, noVariable } from "./bridge-errors.js";
import type { GatewayLink } from "./gateway-link.js";
import type { RunningCall } from "./running-call.js";

/** A call of a tool made from inside a running tool. */
export interface NestedCall {
  /** The tool's name. */
  tool: string;
  /** Its keyword arguments (validated by whoever runs it). */
  args: JsonObject;
  /** Binary input for its payload parameter. */
  payload: Uint8Array | undefined;
}

/** How a nested call ended well. */
export interface NestedOutput {
  /** The JSON result; null for a bytes-only result. */
  value: JsonValue;
  /** The binary result, when the tool returned bytes. */
  payload: Uint8Array | undefined;
}

/** Hears the items of a streaming nested call: a JSON value, or bytes in `payload` (value null). */
export type ChunkListener = (value: JsonValue, payload: Uint8Array | undefined) => void;

/**
 * What a running tool (a Python tool's callbacks, a TypeScript tool's context) can ask of toolbridge. Everything
 * runs with the rights of the call it comes `from` (its grant: session, allowlist, chain), within its remaining
 * time, and stops when `cancel` fires.
 */
export interface CallBridge {
  /** Runs a tool: this runtime's TypeScript tools in-process, anything else through the gateway. With `onChunk`, streams. */
  callTool(from: RunningCall, call: NestedCall, cancel: CallCancel, onChunk?: ChunkListener): Promise<NestedOutput>;
  /** The tools the call may use: the gateway's list (with the session's own tools) and this runtime's TypeScript tools. */
  listTools(from: RunningCall, cancel: CallCancel): Promise<ToolInfo[]>;
  /** A variable of the call's session; NOT_FOUND when there is none (the gateway answers without one). */
  getVariable(from: RunningCall, name: string, cancel: CallCancel): Promise<Variable>;
  /** Writes a variable of the call's session. */
  setVariable(from: RunningCall, write: VariableWrite, cancel: CallCancel): Promise<Variable>;
  /** Deletes a variable of the call's session; false when there was none. */
  deleteVariable(from: RunningCall, name: string, cancel: CallCancel): Promise<boolean>;
  /** Every variable of the call's session (bytes variables without their value). */
  listVariables(from: RunningCall, cancel: CallCancel): Promise<Variable[]>;
}

/** Options of createCallBridge. */
export interface CallBridgeOptions {
  /** Runs this runtime's own tools (admission, validation, deadline), as for any caller. */
  runner: ToolRunner;
  /** This runtime's tools: those in TypeScript run in-process. */
  catalog: ToolCatalog;
  /** The gateway, when the runtime has one. */
  gateway: GatewayLink | undefined;
}

const emptyBytes = new Uint8Array(0);
const ignoreProgress = () => {};

/** The runtime's CallBridge. */
export function createCallBridge(options: CallBridgeOptions): CallBridge {
  const { runner, catalog, gateway } = options;

  const isLocal = (tool: string) => catalog.get(tool)?.tool.info.language === "typescript";
  const gatewayFor = (what: string): GatewayLink => {
    if (gateway === undefined) throw noGateway(what);
    return gateway;
  };
  // A variable request: the session, the gateway, and the options of the request.
  const variableRequest = (from: RunningCall, cancel: CallCancel, what: string) => {
    const sessionId = from.grant.sessionId;
    if (sessionId === "") throw noSession(what);
    const link = gatewayFor(what);
    return { link, sessionId, options: link.optionsFor(from, cancel, what) };
  };
  const viaGateway = async <T>(link: GatewayLink, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (e) {
      throw fromGateway(e, link.url);
    }
  };

  async function callLocal(from: RunningCall, call: NestedCall, cancel: CallCancel, onChunk?: ChunkListener) {
    const output = await runner.invoke(
      { tool: call.tool, args: call.args, sessionId: from.grant.sessionId, requestId: from.requestId, payload: call.payload ?? emptyBytes },
      {
        cancel,
        timeoutMs: Math.max(0, from.deadline - performance.now()),
        caller: { kind: "nested", parent: from.grant },
        protocol: "nested",
      },
      onChunk === undefined ? undefined : { chunk: onChunk, progress: ignoreProgress },
    );
    return { value: output.value, payload: output.payload === undefined ? undefined : payloadBytes(output.payload) };
  }

  async function callRemote(from: RunningCall, call: NestedCall, cancel: CallCancel, onChunk?: ChunkListener) {
    const what = `calling tool "${call.tool}"`;
    const link = gatewayFor(what);
    const options = link.optionsFor(from, cancel, what);
    const request = { tool: call.tool, args: call.args, sessionId: from.grant.sessionId, payload: call.payload ?? emptyBytes };
    return viaGateway(link, async () => {
      if (onChunk === undefined) return outputOf(await link.tools.executeTool(request, options));
      for await (const { event } of link.tools.streamTool(request, options)) {
        if (event.case === "chunk") {
          const { data, payload } = event.value;
          if (data === undefined) onChunk(null, payload);
          else onChunk(fromValue(data), undefined);
        } else if (event.case === "result") {
          return outputOf(event.value);
        }
      }
      throw badGatewayAnswer(link.url, `ended the stream of tool "${call.tool}" without a result`);
    });
  }

  return {
    callTool(from, call, cancel, onChunk) {
      return isLocal(call.tool) ? callLocal(from, call, cancel, onChunk) : callRemote(from, call, cancel, onChunk);
    },

    async listTools(from, cancel) {
      const { context } = from.grant;
      const local = catalog
        .list()
        .filter((t) => t.language === "typescript" && (context === undefined || context.tools === "*" || context.tools.includes(t.name)));
      // Without a gateway, or a context to ask it with, the runtime's own tools are all a call can reach.
      if (gateway === undefined || from.grant.header() === undefined) return local;
      const options = gateway.optionsFor(from, cancel, "listing tools");
      const { tools } = await viaGateway(gateway, () => gateway.tools.listTools({ sessionId: from.grant.sessionId }, options));
      const own = new Set(local.map((t) => t.name));
      return [...tools.filter((t) => !own.has(t.name)), ...local].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },

    async getVariable(from, name, cancel) {
      const { link, sessionId, options } = variableRequest(from, cancel, `reading variable "${name}"`);
      const { variable } = await viaGateway(link, () => link.variables.getVariable({ sessionId, name }, options));
      if (variable === undefined) throw noVariable(name, sessionId);
      return variable;
    },

    async setVariable(from, write, cancel) {
      const { link, sessionId, options } = variableRequest(from, cancel, `writing variable "${write.name}"`);
      const { variable } = await viaGateway(link, () => link.variables.setVariable({ sessionId, write }, options));
      if (variable === undefined) throw badGatewayAnswer(link.url, `answered without variable "${write.name}"`);
      return variable;
    },

    async deleteVariable(from, name, cancel) {
      const { link, sessionId, options } = variableRequest(from, cancel, `deleting variable "${name}"`);
      return (await viaGateway(link, () => link.variables.deleteVariable({ sessionId, name }, options))).deleted;
    },

    async listVariables(from, cancel) {
      const { link, sessionId, options } = variableRequest(from, cancel, "listing variables");
      return (await viaGateway(link, () => link.variables.listVariables({ sessionId }, options))).variables;
    },
  };
}

// A bytes-only result has no JSON value (result unset); a result with both keeps both.
function outputOf(response: ExecuteToolResponse): NestedOutput {
  if (response.result === undefined) return { value: null, payload: response.payload };
  return { value: fromValue(response.result), payload: response.payload.length > 0 ? response.payload : undefined };
}
