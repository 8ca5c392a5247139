// A fast path for the call that matters most, unary ExecuteTool in the Connect protocol with binary
// messages (what connect-node clients send by default). connect-node serves it correctly, but per
// call it decodes the request, builds web Headers, URLs, async-iterable pipelines and aborted signals,
// then encodes the request again for the runtime and does all of it once more for the response.
// Here the request bytes go to the runtime as they came and the runtime's answer comes back as it
// went, through the same authentication, permission checks, session, routing, retries and pinning
// as every other call (GatewayCore). Anything else (JSON, gRPC-Web, compression, browsers, GET) is
// left to connect.
import type { IncomingMessage, ServerResponse } from "node:http";
import * as http2 from "node:http2";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { WireType, BinaryReader } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Http2SessionManager } from "@connectrpc/connect-node";
import { ExecuteToolRequestSchema, ExecuteToolResponseSchema, ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { GatewayCore } from "../gateway.js";
import {
  type Answer,
  answerHttp1,
  answerHttp2,
  clientGone,
  deadlineExceeded,
  errorAnswer,
  isBinaryConnectUnary,
  jsonType,
  protoType,
  readBody,
  readerOf,
  timeoutOf,
} from "./node-connect-wire.js";

/** The one path served. */
export const fastExecutePath = "/toolbridge.v1.ToolService/ExecuteTool";

/** Options of createFastExecute. */
export interface FastExecuteOptions {
  /** The gateway's authentication and dispatch. */
  core: GatewayCore;
  /** The HTTP/2 connection to a runtime's base URL (shared with its Connect transport). */
  sessionFor(baseUrl: string): Http2SessionManager;
}

/** The fast path: each entry answers a request it takes and returns true, or returns false untouched. */
export interface FastExecute {
  /** For a raw HTTP/2 stream, before Node builds its compatibility request and response. */
  http2(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean;
  /** For an HTTP/1.1 request. */
  http1(req: IncomingMessage, res: ServerResponse): boolean;
  /** Ends every call in flight with this error (the gateway is shutting down). */
  cancelAll(reason: ConnectError): void;
}

/** A FastExecute over a gateway's core. */
export function createFastExecute(options: FastExecuteOptions): FastExecute {
  const { core, sessionFor } = options;
  const max = core.maxMessageBytes;
  const active = new Set<AbortController>();

  const takes = (method: string | undefined, path: string | undefined, headers: http2.IncomingHttpHeaders) =>
    path === fastExecutePath && isBinaryConnectUnary(method, headers);

  function serve(headers: http2.IncomingHttpHeaders, body: NodeJS.ReadableStream, onClose: (listener: () => void) => void, send: (a: Answer) => void): void {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let finished = false;
    onClose(() => {
      if (!finished) controller.abort(clientGone());
    });
    const finish = (answer: Answer) => {
      finished = true;
      clearTimeout(timer);
      active.delete(controller);
      send(answer);
    };
    readBody(body, max, async (tooLarge, bytes) => {
      try {
        if (tooLarge !== undefined) throw tooLarge;
        const timeoutMs = timeoutOf(headers);
        if (timeoutMs !== undefined) {
          timer = setTimeout(() => controller.abort(deadlineExceeded(timeoutMs)), timeoutMs);
        }
        active.add(controller);
        const principal = await core.authorize(ToolService.typeName, readerOf(headers));
        if (principal === undefined) throw new ConnectError("ToolService needs credentials", Code.Internal);
        const call = decodeCall(bytes as Uint8Array);
        const scope = { signal: controller.signal, timeoutMs };
        if (core.dispatch.isGatewayTool(call.tool)) {
          // No runtime to forward to: the gateway runs it (the same checks, through execute()).
          const response = await core.dispatch.execute(principal, decodeRequest(bytes as Uint8Array), scope);
          finish({ status: 200, contentType: protoType, body: toBinary(ExecuteToolResponseSchema, response) });
          return;
        }
        const answer = await core.dispatch.forward(principal, call, scope, (target, extra) =>
          post(sessionFor(target.url), bytes as Uint8Array, extra, target.timeoutMs, controller.signal, max),
        );
        finish(answer);
      } catch (err) {
        finish(errorAnswer(controller.signal.aborted ? ConnectError.from(controller.signal.reason) : ConnectError.from(err)));
      }
    });
  }

  return {
    http2(stream, headers) {
      if (!takes(headers[":method"], headers[":path"], headers)) return false;
      // A reset or broken stream ends the call through "close"; it must not crash the server.
      stream.on("error", () => {});
      serve(headers, stream, (listener) => stream.once("close", listener), (answer) => answerHttp2(stream, answer));
      return true;
    },

    http1(req, res) {
      if (req.httpVersionMajor !== 1 || !takes(req.method, req.url, req.headers)) return false;
      serve(req.headers, req, (listener) => res.once("close", listener), (answer) => answerHttp1(res, answer));
      return true;
    },

    cancelAll(reason) {
      for (const controller of active) controller.abort(reason);
      active.clear();
    },
  };
}

/** The tool and session of an ExecuteToolRequest, read without decoding the rest (fields 1 and 3). */
export function decodeCall(bytes: Uint8Array): { tool: string; sessionId: string } {
  let tool = "";
  let sessionId = "";
  try {
    const reader = new BinaryReader(bytes);
    while (reader.pos < reader.len) {
      const [field, wireType] = reader.tag();
      if (field === 1 && wireType === WireType.LengthDelimited) tool = reader.string();
      else if (field === 3 && wireType === WireType.LengthDelimited) sessionId = reader.string();
      else reader.skip(wireType, field);
    }
  } catch (err) {
    throw new ConnectError(`cannot decode the request: ${(err as Error).message}`, Code.InvalidArgument);
  }
  return { tool, sessionId };
}

function decodeRequest(bytes: Uint8Array) {
  try {
    return fromBinary(ExecuteToolRequestSchema, bytes);
  } catch (err) {
    throw new ConnectError(`cannot decode the request: ${(err as Error).message}`, Code.InvalidArgument);
  }
}

/**
 * POSTs the request bytes to a runtime's ExecuteTool on its HTTP/2 connection and collects its answer.
 * Rejects only when the exchange itself fails: a refused connection or stream (which the router
 * retries elsewhere), a broken one, the caller leaving, or an answer that is not Connect's.
 */
async function post(
  session: Http2SessionManager,
  body: Uint8Array,
  extra: Record<string, string>,
  timeoutMs: number | undefined,
  signal: AbortSignal,
  max: number,
): Promise<Answer> {
  const headers: http2.OutgoingHttpHeaders = { "content-type": protoType, "connect-protocol-version": "1", ...extra };
  if (timeoutMs !== undefined) headers["connect-timeout-ms"] = String(timeoutMs);
  const stream = await session.request("POST", fastExecutePath, headers, {});
  return new Promise<Answer>((resolve, reject) => {
    let status = 0;
    let contentType = "";
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const settle = (error: ConnectError | undefined) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      if (error !== undefined) {
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(error);
        return;
      }
      const answer = { status, contentType, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length) };
      const connectShaped = status === 200 ? contentType === protoType : contentType.startsWith(jsonType);
      if (connectShaped) resolve(answer);
      else reject(new ConnectError(`the runtime answered HTTP ${status} (${contentType || "no content type"}), not a Connect response`, Code.Internal));
    };
    const onAbort = () => settle(ConnectError.from(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      contentType = String(h["content-type"] ?? "");
    });
    stream.on("data", (chunk: Buffer) => {
      session.notifyResponseByteRead(stream);
      length += chunk.length;
      if (length > max) settle(new ConnectError(`the runtime's answer is over the ${max}-byte message limit`, Code.ResourceExhausted));
      else chunks.push(chunk);
    });
    stream.on("end", () => {
      // An end without response headers is a connection that went away, not an answer.
      if (status !== 0) return settle(undefined);
      const cause = new Error("the runtime's HTTP/2 stream ended without an answer");
      settle(new ConnectError(cause.message, Code.Unavailable, undefined, undefined, cause));
    });
    stream.on("error", (err) => settle(new ConnectError(err.message, Code.Unavailable, undefined, undefined, err)));
    stream.on("close", () => {
      // After a normal end, close is routine: no error (with its stack trace) to build and drop.
      if (settled) return;
      if (stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) {
        settle(new ConnectError("http/2 stream closed with error code REFUSED_STREAM", Code.Unavailable));
      } else {
        const cause = new Error(`the runtime's HTTP/2 stream closed (code ${stream.rstCode}) before its answer ended`);
        settle(new ConnectError(cause.message, Code.Unavailable, undefined, undefined, cause));
      }
    });
    stream.end(body);
  });
}
