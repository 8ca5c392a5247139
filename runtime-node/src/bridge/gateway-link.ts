import { type CallOptions, type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { callContextHeader } from "../auth/call-context.js";
import type { CallCancel } from "../call-cancel.js";
import { noCallContext, noTimeLeft } from "./bridge-errors.js";
import { type RunningCall, remainingMs } from "./running-call.js";

/** Options of createGatewayLink. */
export interface GatewayLinkOptions {
  /** The gateway's base URL. */
  url: string;
  /** The runtime key, the credential the gateway expects from runtimes. */
  key: string;
  /** How to reach it; default connect-node's Connect transport (HTTP/2 for https, HTTP/1.1 with keep-alive otherwise). */
  transport?: Transport;
}

/** The runtime's way to the gateway: registration, and the callbacks of its tools. */
export interface GatewayLink {
  /** The gateway's base URL, for messages. */
  readonly url: string;
  /** The transport, shared by every client. */
  readonly transport: Transport;
  /** The runtime key. */
  readonly key: string;
  /** The gateway's ToolService. */
  readonly tools: Client<typeof ToolService>;
  /** The gateway's VariableService. */
  readonly variables: Client<typeof VariableService>;
  /**
   * The options of a request made for `call` (`what` names it in errors): the runtime key, the call's
   * toolbridge-call header, its remaining time and `cancel`. FAILED_PRECONDITION when the call has no context.
   */
  optionsFor(call: RunningCall, cancel: CallCancel, what: string): CallOptions;
}

/** A GatewayLink to `url`. */
export function createGatewayLink(options: GatewayLinkOptions): GatewayLink {
  const { url, key } = options;
  const transport =
    options.transport ??
    createConnectTransport({
      baseUrl: url,
      httpVersion: url.startsWith("https:") ? "2" : "1.1",
      // Binary: the callbacks carry payloads, and protobuf costs less than JSON on both sides.
      useBinaryFormat: true,
    });
  const authorization = `Bearer ${key}`;
  return {
    url,
    transport,
    key,
    tools: createClient(ToolService, transport),
    variables: createClient(VariableService, transport),
    optionsFor(call, cancel, what) {
      const header = call.grant.header();
      if (header === undefined) throw noCallContext(what);
      const timeoutMs = remainingMs(call);
      if (timeoutMs <= 0) throw noTimeLeft(what);
      return {
        headers: { authorization, [callContextHeader]: header },
        // Whole milliseconds, never more than the call has left (and never 0, which would mean none).
        timeoutMs: Math.max(1, Math.floor(timeoutMs)),
        signal: cancel.signal,
      };
    },
  };
}
