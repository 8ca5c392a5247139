// A unary gRPC fast path on the raw HTTP/2 stream, for a connect-node server (see bench/PROFILE.md for why).
//
// connect-node serves gRPC through Node's http2 compatibility layer and connect's universal handler: per call it
// builds async-iterable pipelines, web Headers, linked AbortControllers and, when the call ends, aborts them without
// a reason (a DOMException with a stack trace, twice). For a unary call none of that is needed: read the one
// envelope, decode, run the implementation through connect's own invokeUnaryImplementation (interceptors,
// context, response headers and trailers keep their meaning), encode, respond with trailers. Everything else
// (Connect, gRPC-Web, streaming, compression, JSON codec) still goes to the connect-node adapter.
import { create, fromBinary, isMessage, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createServiceImplSpec } from "@connectrpc/connect";
import { invokeUnaryImplementation } from "@connectrpc/connect/protocol";
import { parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { createCallContext, headersObject } from "./call-context.mjs";

const GRPC_CONTENT_TYPES = new Set(["application/grpc", "application/grpc+proto"]);
const SMALL_RESPONSE = 16 * 1024; // below this, the envelope prefix and message go out as one buffer
// Reasons for aborting a call's signal, made once: a reasonless abort() builds a DOMException with a stack.
const CALL_DONE = new ConnectError("call finished", Code.Canceled);
const STREAM_CLOSED = new ConnectError("the client closed the stream", Code.Canceled);

/**
 * Creates the fast path for the unary methods of some services.
 *
 * Options:
 * - services: [{ service, implementation }]: descriptors (e.g. ToolService) and the same Partial<ServiceImpl>
 *   objects given to router.service().
 * - readMaxBytes, writeMaxBytes: message size limits, as for connectNodeAdapter.
 * - maxTimeoutMs: the largest grpc-timeout accepted (default: no limit), as for connectNodeAdapter.
 * - interceptors: connect interceptors, applied as connect-node applies them.
 * - shutdownSignal: aborts every call's context when the server shuts down.
 * - contextValues: (request) => ContextValues, per call, as connectNodeAdapter's option (request: the
 *   compatibility-layer request when serve() got one, else the raw headers).
 *
 * Returns { accepts(headers), serve(stream, headers, compat?) }: accepts() says whether a request (HTTP/2
 * pseudo and regular headers, lower-case) is a binary, uncompressed gRPC call of one of these unary methods;
 * serve() answers it on the raw Http2Stream. From a (req, res) listener pass compat = { req, res }: the body is
 * then read from req and the answer written through res (Node's compatibility layer owns the stream's trailers).
 */
export function createGrpcUnaryFastPath({
  services,
  readMaxBytes = 0xffffffff,
  writeMaxBytes = 0xffffffff,
  maxTimeoutMs = Number.MAX_SAFE_INTEGER,
  interceptors = [],
  shutdownSignal,
  contextValues,
}) {
  const methods = new Map();
  for (const { service, implementation } of services) {
    const spec = createServiceImplSpec(service, implementation);
    for (const method of service.methods) {
      if (method.methodKind === "unary" && typeof implementation[method.localName] === "function") {
        methods.set(`/${service.typeName}/${method.name}`, spec.methods[method.localName]);
      }
    }
  }

  function accepts(headers) {
    if (headers[":method"] !== "POST" || !methods.has(headers[":path"])) return false;
    if (!GRPC_CONTENT_TYPES.has(headers["content-type"])) return false;
    const encoding = headers["grpc-encoding"];
    return encoding === undefined || encoding === "identity";
  }

  function serve(stream, headers, compat) {
    const body = compat?.req ?? stream;
    const reply = compat ? compatReply(compat.res) : streamReply(stream);
    const methodSpec = methods.get(headers[":path"]);
    const timeout = parseTimeout(headers["grpc-timeout"] ?? null, maxTimeoutMs);
    const call = createCallContext({
      service: methodSpec.method.parent,
      method: methodSpec.method,
      url: `http://${headers[":authority"]}${headers[":path"]}`,
      headers,
      timeoutMs: timeout.timeoutMs,
      shutdownSignal,
      contextValues: contextValues?.(compat?.req ?? headers),
      responseHeader: { "content-type": headers["content-type"] },
      responseTrailer: { "grpc-status": "0" },
    });
    let finished = false;
    stream.once("close", () => {
      if (!finished) call.abort(STREAM_CLOSED);
    });
    // A reset or broken stream ends the call (through "close"); it must not crash the server.
    stream.on("error", () => {});

    readEnvelope(body, readMaxBytes)
      .then((data) => {
        if (timeout.error) throw timeout.error;
        const input = fromBinary(methodSpec.method.input, data);
        // Without interceptors, call the implementation directly: invokeUnaryImplementation would build every
        // Headers object of the context just to pass them through.
        return interceptors.length === 0
          ? Promise.resolve(methodSpec.impl(input, call.context)).then((out) => (isMessage(out, methodSpec.method.output) ? out : create(methodSpec.method.output, out)))
          : invokeUnaryImplementation(methodSpec, call.context, input, interceptors);
      })
      .then((output) => {
        const bytes = toBinary(methodSpec.method.output, output);
        if (bytes.length > writeMaxBytes) {
          throw new ConnectError(`message size ${bytes.length} is larger than configured writeMaxBytes ${writeMaxBytes}`, Code.ResourceExhausted);
        }
        finished = true;
        call.abort(CALL_DONE);
        if (stream.destroyed) return;
        reply.message(call.responseHeaders(), bytes, call.responseTrailers());
      })
      .catch((reason) => {
        finished = true;
        const error = ConnectError.from(reason, Code.Internal);
        call.abort(error);
        if (stream.destroyed || stream.headersSent) return;
        reply.error(call.responseHeaders(), headersObject(setTrailerStatus(new Headers(call.responseTrailers()), error)));
      });
  }

  return { accepts, serve };
}

/** Answers on the raw stream: HEADERS, DATA (envelope), trailing HEADERS. */
function streamReply(stream) {
  return {
    message(headers, bytes, trailers) {
      stream.respond({ ":status": 200, ...headers }, { waitForTrailers: true });
      stream.once("wantTrailers", () => stream.sendTrailers(trailers));
      writeEnvelope(stream, bytes);
    },
    // Trailers-only: the status travels in the only HEADERS frame.
    error(headers, status) {
      stream.respond({ ":status": 200, ...headers, ...status }, { endStream: true });
    },
  };
}

/** Answers through Node's compatibility response, which sends the trailers itself. */
function compatReply(res) {
  return {
    message(headers, bytes, trailers) {
      res.writeHead(200, headers);
      res.addTrailers(trailers);
      writeEnvelope(res, bytes);
    },
    // The compatibility layer always ends with a trailing HEADERS frame, so the status goes there.
    error(headers, status) {
      res.writeHead(200, headers);
      res.addTrailers(status);
      res.end();
    },
  };
}

function writeEnvelope(out, bytes) {
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(bytes.length, 1);
  if (bytes.length < SMALL_RESPONSE) {
    out.end(Buffer.concat([prefix, bytes]));
  } else {
    out.write(prefix);
    out.end(bytes);
  }
}

/** Reads one gRPC envelope (flags, uint32 length, message) and nothing after it. */
function readEnvelope(body, readMaxBytes) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let received = 0;
    const onData = (chunk) => {
      received += chunk.length;
      if (received > readMaxBytes + 5) {
        cleanup();
        body.resume(); // drain and drop the rest
        reject(new ConnectError(`message size is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      const all = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      if (all.length < 5) return reject(new ConnectError("protocol error: missing envelope", Code.InvalidArgument));
      if ((all[0] & 0b1) !== 0) return reject(new ConnectError("protocol error: compressed message without grpc-encoding", Code.Internal));
      const length = all.readUInt32BE(1);
      if (length > readMaxBytes) {
        return reject(new ConnectError(`message size ${length} is larger than configured readMaxBytes ${readMaxBytes}`, Code.ResourceExhausted));
      }
      if (all.length !== 5 + length) {
        return reject(new ConnectError("protocol error: a unary request must hold exactly one message", Code.InvalidArgument));
      }
      resolve(all.subarray(5));
    };
    const onError = (e) => {
      cleanup();
      reject(ConnectError.from(e, Code.Canceled));
    };
    function cleanup() {
      body.off("data", onData);
      body.off("end", onEnd);
      body.off("error", onError);
    }
    body.on("data", onData);
    body.once("end", onEnd);
    body.once("error", onError);
  });
}
