// A fast path for every unary RPC in the Connect protocol with binary messages (variables, sessions,
// ListTools, ...): the request is decoded, run through the same service implementation with the same
// authorization as through connect-node, and the answer written straight onto the HTTP/2 stream or
// HTTP/1.1 response. connect-node does the same with per-call web Headers, URL objects, async-iterable
// pipelines and aborted signals that cost more than the call itself; anything this path does not
// speak (JSON, gRPC-Web, compression, streams, GET, browsers) is left to it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type * as http2 from "node:http2";
import { create, type DescMessage, type DescMethod, type DescService, fromBinary, isMessage, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  createContextValues,
  type HandlerContext,
} from "@connectrpc/connect";
import { principalKey } from "../auth/principal.js";
import type { ConnectServing } from "../connect/mount.js";
import type { GatewayCore } from "../gateway.js";
import {
  type Answer,
  answerHttp1,
  answerHttp2,
  clientGone,
  deadlineExceeded,
  errorAnswer,
  isBinaryConnectUnary,
  protoType,
  readBody,
  readerOf,
  timeoutOf,
} from "./node-connect-wire.js";

/** Options of createFastUnary. */
export interface FastUnaryOptions {
  /** The services, as mounted on the Hono app (only their unary methods are taken). */
  connect: ConnectServing;
  /** The gateway's authorization and limits. */
  core: GatewayCore;
}

/** The fast path: each entry answers a request it takes and returns true, or returns false untouched. */
export interface FastUnary {
  /** For a raw HTTP/2 stream, before Node builds its compatibility request and response. */
  http2(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): boolean;
  /** For an HTTP/1.1 request. */
  http1(req: IncomingMessage, res: ServerResponse): boolean;
}

type UnaryImpl = (request: unknown, context: HandlerContext) => unknown;

const callEnded = new ConnectError("the call has ended", Code.Canceled);

interface UnaryEntry {
  service: DescService;
  method: DescMethod;
  impl: UnaryImpl;
}

/** A FastUnary over the gateway's services. */
export function createFastUnary(options: FastUnaryOptions): FastUnary {
  const { core } = options;
  const entries = unaryMethods(options.connect.routes);

  function serve(
    entry: UnaryEntry,
    path: string,
    headers: http2.IncomingHttpHeaders,
    body: NodeJS.ReadableStream,
    onClose: (listener: () => void) => void,
    send: (a: Answer) => void,
  ): void {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let finished = false;
    const onShutdown = () => controller.abort(core.shutdown.reason);
    onClose(() => {
      if (!finished) controller.abort(clientGone());
    });
    const finish = (answer: Answer) => {
      finished = true;
      clearTimeout(timer);
      core.shutdown.removeEventListener("abort", onShutdown);
      // Like connect-node, end the context's signal with the call, so work tied to it stops (with a
      // shared reason: an abort without one makes a DOMException, stack trace and all, per call).
      if (!controller.signal.aborted) controller.abort(callEnded);
      send(answer);
    };
    readBody(body, core.maxMessageBytes, async (tooLarge, bytes) => {
      try {
        if (tooLarge !== undefined) throw tooLarge;
        const timeoutMs = timeoutOf(headers);
        const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
        if (timeoutMs !== undefined) timer = setTimeout(() => controller.abort(deadlineExceeded(timeoutMs)), timeoutMs);
        if (core.shutdown.aborted) throw ConnectError.from(core.shutdown.reason);
        core.shutdown.addEventListener("abort", onShutdown, { once: true });
        const principal = await core.authorize(entry.service.typeName, readerOf(headers));
        const request = decode(entry.method.input, bytes);
        const values = createContextValues();
        if (principal !== undefined) values.set(principalKey, principal);
        const context = contextOf(entry, path, headers, controller.signal, deadline, values);
        const output = await entry.impl(request, context);
        const schema = entry.method.output;
        const message = isMessage(output, schema) ? output : create(schema, output as never);
        finish({ status: 200, contentType: protoType, body: toBinary(schema, message) });
      } catch (err) {
        finish(errorAnswer(controller.signal.aborted ? ConnectError.from(controller.signal.reason) : ConnectError.from(err)));
      }
    });
  }

  return {
    http2(stream, headers) {
      const path = headers[":path"];
      const entry = path === undefined ? undefined : entries.get(path);
      if (entry === undefined || !isBinaryConnectUnary(headers[":method"], headers)) return false;
      stream.on("error", () => {});
      serve(entry, path as string, headers, stream, (listener) => stream.once("close", listener), (answer) => answerHttp2(stream, answer));
      return true;
    },

    http1(req, res) {
      const entry = req.url === undefined ? undefined : entries.get(req.url);
      if (entry === undefined || req.httpVersionMajor !== 1 || !isBinaryConnectUnary(req.method, req.headers)) return false;
      serve(entry, req.url as string, req.headers, req, (listener) => res.once("close", listener), (answer) => answerHttp1(res, answer));
      return true;
    },
  };
}

/** The unary methods the routes register, by request path ("/pkg.Service/Method"). */
function unaryMethods(routes: (router: ConnectRouter) => void): Map<string, UnaryEntry> {
  const entries = new Map<string, UnaryEntry>();
  const recorder = {
    handlers: [],
    service(service: DescService, impl: Record<string, unknown>) {
      for (const method of service.methods) {
        const fn = impl[method.localName];
        if (method.methodKind !== "unary" || typeof fn !== "function") continue;
        entries.set(`/${service.typeName}/${method.name}`, { service, method, impl: fn.bind(impl) as UnaryImpl });
      }
      return recorder;
    },
    rpc() {
      return recorder;
    },
  };
  routes(recorder as unknown as ConnectRouter);
  return entries;
}

function decode(schema: DescMessage, bytes: Uint8Array) {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new ConnectError(`cannot decode the request: ${(err as Error).message}`, Code.InvalidArgument);
  }
}

// The services read their principal, signal and deadline; headers are made only if something asks.
function contextOf(
  entry: UnaryEntry,
  path: string,
  headers: http2.IncomingHttpHeaders,
  signal: AbortSignal,
  deadline: number | undefined,
  values: HandlerContext["values"],
): HandlerContext {
  let requestHeader: Headers | undefined;
  let responseHeader: Headers | undefined;
  let responseTrailer: Headers | undefined;
  return {
    method: entry.method,
    service: entry.service,
    signal,
    timeoutMs: () => (deadline === undefined ? undefined : deadline - Date.now()),
    requestMethod: "POST",
    protocolName: "connect",
    values,
    url: path,
    get requestHeader() {
      requestHeader ??= webHeaders(headers);
      return requestHeader;
    },
    get responseHeader() {
      responseHeader ??= new Headers();
      return responseHeader;
    },
    get responseTrailer() {
      responseTrailer ??= new Headers();
      return responseTrailer;
    },
  };
}

function webHeaders(headers: http2.IncomingHttpHeaders): Headers {
  const web = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(":") || value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) web.append(name, v);
  }
  return web;
}
