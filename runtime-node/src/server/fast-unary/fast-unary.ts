// A fast path for unary ExecuteTool, the call that every client makes most. connect-node serves it correctly but
// builds, per call, web Headers, URL objects, async-iterable pipelines and several AbortControllers that it aborts
// without a reason (a DOMException with a stack trace). Here the one request is read, decoded, run through the
// same ToolRunner, and answered directly on the HTTP/2 stream or HTTP/1.1 response. Anything it does not speak
// (compression, GET, other methods, streaming, browsers needing CORS on HTTP/2) is left to connect.
import type { IncomingMessage, ServerResponse } from "node:http";
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { parseTimeout as parseConnectTimeout } from "@connectrpc/connect/protocol-connect";
import { parseTimeout as parseGrpcTimeout } from "@connectrpc/connect/protocol-grpc";
import { type CallCancelSource, createCallCancel } from "../../call-cancel.js";
import { piecewiseBodyBytes } from "../../pool/frame.js";
import type { ToolRequest, ToolRunner } from "../../services/tool-runner.js";
import type { Authenticator } from "../auth.js";
import { decodeRequestInPieces } from "./request-pieces.js";
import { type Answer, decodeRequest, errorAnswer, successAnswer, timeoutHeader, type Wire, wireOf } from "./wire.js";

/** Options of createFastUnary. */
export interface FastUnaryOptions {
  /** Runs the calls, as for the Connect service. */
  runner: ToolRunner;
  /** Checks the caller, as the auth interceptor does. */
  authenticate: Authenticator;
  /** Largest request message. */
  readMaxBytes: number;
  /** Largest response message. */
  writeMaxBytes: number;
}

/** The fast path: each entry point answers a request it takes and returns true, or returns false untouched. */
export interface FastUnary {
  /** For a raw HTTP/2 stream, before Node builds its compatibility request and response. */
  http2(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): boolean;
  /** For an HTTP/1.1 request. */
  http1(req: IncomingMessage, res: ServerResponse): boolean;
  /** Cancels every call in flight (the runtime is shutting down and their drain time is over). */
  cancelAll(reason: ConnectError): void;
}

/** The path served. Everything else goes to connect. */
export const fastPath = "/toolbridge.v1.ToolService/ExecuteTool";

const clientGone = new ConnectError("the client cancelled the call", Code.Canceled);
const protocols: Record<Wire, string> = {
  "connect-proto": "connect/fast",
  "connect-json": "connect-json/fast",
  grpc: "grpc/fast",
  "grpc-web": "grpc-web/fast",
};

/** A FastUnary over a runner. */
export function createFastUnary(options: FastUnaryOptions): FastUnary {
  const { runner, authenticate, readMaxBytes, writeMaxBytes } = options;
  const active = new Set<CallCancelSource>();

  // One call: body in, answer out. `send` writes an answer, `onClose` hears that the client is gone, and
  // `refuseBody` answers before the body has been read (it is over the limit) and stops reading it.
  function serve(
    wire: Wire,
    headers: IncomingHttpHeaders,
    body: NodeJS.ReadableStream,
    send: (answer: Answer) => void,
    onClose: (listener: () => void) => void,
    refuseBody: (answer: Answer) => void,
  ): void {
    const contentType = headers["content-type"] as string;
    const fail = (error: unknown) => send(errorAnswer(wire, contentType, ConnectError.from(error, Code.Internal)));
    let caller: ReturnType<Authenticator>;
    let timeoutMs: number | undefined;
    try {
      caller = authenticate((name) => one(headers[name]));
      const raw = one(headers[timeoutHeader(wire)]) ?? null;
      const timeout = wire.startsWith("connect")
        ? parseConnectTimeout(raw, Number.MAX_SAFE_INTEGER)
        : parseGrpcTimeout(raw, Number.MAX_SAFE_INTEGER);
      if (timeout.error !== undefined) throw timeout.error;
      timeoutMs = timeout.timeoutMs;
    } catch (e) {
      body.resume();
      fail(e);
      return;
    }
    const cancel = createCallCancel();
    let done = false;
    onClose(() => {
      if (!done) cancel.cancel(clientGone);
    });
    readBody(body, readMaxBytes, (error, chunks, length) => {
      if (error !== undefined) {
        done = true;
        refuseBody(errorAnswer(wire, contentType, error));
        return;
      }
      let request: ToolRequest;
      try {
        request = decode(wire, chunks as Buffer[], length as number);
      } catch (e) {
        done = true;
        fail(e);
        return;
      }
      active.add(cancel);
      runner.run(request, { cancel: cancel.token, timeoutMs, caller, protocol: protocols[wire] }).then(
        (response) => {
          done = true;
          active.delete(cancel);
          let answer: Answer;
          try {
            answer = successAnswer(wire, contentType, response, writeMaxBytes);
          } catch (e) {
            fail(e);
            return;
          }
          send(answer);
        },
        (e) => {
          done = true;
          active.delete(cancel);
          fail(e);
        },
      );
    });
  }

  return {
    http2(stream, headers) {
      if (headers[":path"] !== fastPath || headers[":method"] !== "POST" || headers.origin !== undefined) return false;
      const wire = wireOf(headers, true);
      if (wire === undefined) return false;
      // A reset or broken stream ends the call through "close"; it must not crash the server.
      stream.on("error", () => {});
      serve(
        wire,
        headers,
        stream,
        (answer) => answerHttp2(stream, answer),
        (listener) => stream.once("close", listener),
        (answer) => {
          // A complete answer, then RST_STREAM(NO_ERROR): the client may stop sending (RFC 9113, 8.1).
          answerHttp2(stream, answer);
          stream.close(constants.NGHTTP2_NO_ERROR);
        },
      );
      return true;
    },

    http1(req, res) {
      if (req.httpVersionMajor !== 1 || req.method !== "POST" || req.url !== fastPath) return false;
      const wire = wireOf(req.headers, false);
      if (wire === undefined) return false;
      serve(
        wire,
        req.headers,
        req,
        (answer) => answerHttp1(res, answer),
        (listener) => res.once("close", listener),
        (answer) => {
          // HTTP/1.1 cannot refuse the rest of a body: answer now (most clients read it once they are done
          // sending), discard what still comes so that the connection can carry the next request, and close it
          // if the client keeps sending far past the limit.
          answerHttp1(res, answer);
          let discarded = 0;
          req.on("data", (chunk: Buffer) => {
            discarded += chunk.length;
            if (discarded > 4 * readMaxBytes) req.socket.destroy();
          });
          req.resume();
        },
      );
      return true;
    },

    cancelAll(reason) {
      for (const cancel of active) cancel.cancel(reason);
      active.clear();
    },
  };
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// A large binary request keeps its payload in the pieces it was read in (see request-pieces.ts); anything else
// is joined (a body in one chunk, the usual case, is not copied) and decoded whole.
function decode(wire: Wire, chunks: Buffer[], length: number): ToolRequest {
  if (chunks.length > 1 && length >= piecewiseBodyBytes && wire !== "connect-json") {
    const start = wire === "connect-proto" ? 0 : 5;
    const envelopeOk = start === 0 || (chunks[0].length >= 5 && chunks[0][0] === 0 && chunks[0].readUInt32BE(1) === length - 5);
    const parsed = envelopeOk ? decodeRequestInPieces(chunks, start, length) : undefined;
    if (parsed !== undefined) {
      const { tool, args, sessionId, requestId } = parsed.request;
      return { tool, args, sessionId, requestId, payload: parsed.payload };
    }
  }
  return decodeRequest(wire, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
}

// Collects the body's chunks, refusing more than `max` bytes.
function readBody(
  body: NodeJS.ReadableStream,
  max: number,
  done: (error: ConnectError | undefined, chunks?: Buffer[], length?: number) => void,
): void {
  const chunks: Buffer[] = [];
  let length = 0;
  let failed = false;
  const onData = (chunk: Buffer) => {
    length += chunk.length;
    if (length > max) {
      failed = true;
      chunks.length = 0;
      body.removeListener("data", onData);
      body.pause();
      done(new ConnectError(`the request is over the ${max}-byte message limit`, Code.ResourceExhausted));
      return;
    }
    chunks.push(chunk);
  };
  body.on("data", onData);
  body.once("end", () => {
    if (!failed) done(undefined, chunks, length);
  });
}

function answerHttp2(stream: ServerHttp2Stream, answer: Answer): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const { body, trailers } = answer;
  let length = 0;
  for (const chunk of body) length += chunk.length;
  const headers: Record<string, string | number> = { ":status": answer.status, ...answer.headers };
  // gRPC's trailers follow the body; the length is only given for answers that end with their body.
  if (trailers === undefined && length > 0) headers["content-length"] = length;
  if (body.length === 0) {
    stream.respond(trailers === undefined ? headers : { ...headers, ...trailers }, { endStream: true });
    return;
  }
  if (trailers !== undefined) {
    stream.respond(headers, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers(trailers));
  } else {
    stream.respond(headers);
  }
  // Many pieces (a large payload) go out in one writev.
  if (body.length > 2) stream.cork();
  for (let i = 0; i < body.length - 1; i++) stream.write(body[i]);
  stream.end(body[body.length - 1]);
}

function answerHttp1(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  let length = 0;
  for (const chunk of answer.body) length += chunk.length;
  res.writeHead(answer.status, { ...answer.headers, "content-length": String(length) });
  // Many pieces (a large payload) go out in one writev; end() uncorks.
  if (answer.body.length > 2) res.cork();
  for (let i = 0; i < answer.body.length - 1; i++) res.write(answer.body[i]);
  res.end(answer.body.at(-1));
}
