// The four unary wire formats of ExecuteTool that the fast path speaks: Connect (binary and JSON), gRPC and
// gRPC-Web (binary), uncompressed. Decoding a request and encoding an answer, nothing about sockets.
import { fromBinary, fromJsonString, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import {
  type ExecuteToolRequest,
  ExecuteToolRequestSchema,
  ExecuteToolResponseSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { payloadLength } from "../../payload.js";
import { type RunResult, whole } from "../../services/tool-runner.js";

/** Which protocol and codec a request uses. */
export type Wire = "connect-proto" | "connect-json" | "grpc" | "grpc-web";

/** What to send back: status, headers, body chunks, and trailers (gRPC over HTTP/2 only). */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array[];
  trailers?: Record<string, string>;
}

/** The request headers the choice depends on, lower-case, as Node gives them. */
export interface WireHeaders {
  "content-type"?: string;
  "content-encoding"?: string;
  "grpc-encoding"?: string;
  "connect-protocol-version"?: string;
}

/**
 * The wire of a POST, or undefined when the fast path should leave it to connect (compression, unusual content
 * types or protocol versions, anything it does not speak).
 */
export function wireOf(headers: WireHeaders, http2: boolean): Wire | undefined {
  switch (headers["content-type"]) {
    case "application/proto":
      return connectPlain(headers) ? "connect-proto" : undefined;
    case "application/json":
    case "application/json; charset=utf-8":
      return connectPlain(headers) ? "connect-json" : undefined;
    case "application/grpc":
    case "application/grpc+proto":
      return http2 && identity(headers["grpc-encoding"]) ? "grpc" : undefined;
    case "application/grpc-web":
    case "application/grpc-web+proto":
      return identity(headers["grpc-encoding"]) ? "grpc-web" : undefined;
    default:
      return undefined;
  }
}

function identity(encoding: string | undefined): boolean {
  return encoding === undefined || encoding === "identity";
}

function connectPlain(headers: WireHeaders): boolean {
  const version = headers["connect-protocol-version"];
  return identity(headers["content-encoding"]) && (version === undefined || version === "1");
}

/** The name of the timeout header of a wire. */
export function timeoutHeader(wire: Wire): "connect-timeout-ms" | "grpc-timeout" {
  return wire === "connect-proto" || wire === "connect-json" ? "connect-timeout-ms" : "grpc-timeout";
}

/** Decodes the request body; throws INVALID_ARGUMENT for anything malformed. */
export function decodeRequest(wire: Wire, body: Uint8Array): ExecuteToolRequest {
  try {
    switch (wire) {
      case "connect-proto":
        return fromBinary(ExecuteToolRequestSchema, body);
      case "connect-json":
        return fromJsonString(ExecuteToolRequestSchema, Buffer.from(body.buffer, body.byteOffset, body.length).toString("utf8"), {
          ignoreUnknownFields: true,
        });
      default:
        return fromBinary(ExecuteToolRequestSchema, unwrapEnvelope(body));
    }
  } catch (e) {
    if (e instanceof ConnectError) throw e;
    throw new ConnectError(`cannot decode the request: ${(e as Error).message}`, Code.InvalidArgument);
  }
}

// A unary gRPC or gRPC-Web body is exactly one uncompressed message envelope.
function unwrapEnvelope(body: Uint8Array): Uint8Array {
  if (body.length < 5) throw new ConnectError("protocol error: missing message envelope", Code.InvalidArgument);
  const flags = body[0];
  const length = ((body[1] << 24) | (body[2] << 16) | (body[3] << 8) | body[4]) >>> 0;
  if (flags !== 0) throw new ConnectError(`protocol error: unexpected envelope flags ${flags}`, Code.InvalidArgument);
  if (length !== body.length - 5) {
    throw new ConnectError("protocol error: a unary request holds exactly one message", Code.InvalidArgument);
  }
  return body.subarray(5);
}

// Below this size the envelope prefix and the message go out as one buffer (one DATA frame, one write).
const joinBelow = 16 * 1024;
const trailerFlag = 0x80;
const okTrailerFrame = envelope(trailerFlag, new TextEncoder().encode("grpc-status: 0\r\n"));

/** The answer carrying a response; RESOURCE_EXHAUSTED when it is over `writeMaxBytes`. */
export function successAnswer(wire: Wire, contentType: string, result: RunResult, writeMaxBytes: number): Answer {
  if (wire === "connect-json") {
    const json = Buffer.from(toJsonString(ExecuteToolResponseSchema, whole(result)));
    checkSize(json.length, writeMaxBytes);
    return { status: 200, headers: { "content-type": "application/json" }, body: [json] };
  }
  const message = encodeResponse(result);
  const length = message.reduce((n, chunk) => n + chunk.length, 0);
  checkSize(length, writeMaxBytes);
  switch (wire) {
    case "connect-proto":
      return { status: 200, headers: { "content-type": "application/proto" }, body: message };
    case "grpc":
      return {
        status: 200,
        headers: { "content-type": contentType },
        body: enveloped(message, length),
        trailers: { "grpc-status": "0" },
      };
    default:
      return {
        status: 200,
        headers: { "content-type": "application/grpc-web+proto" },
        body: [...enveloped(message, length), okTrailerFrame],
      };
  }
}

// ExecuteToolResponse.payload is field 2, length-delimited.
const payloadTag = (2 << 3) | 2;
// A payload at least this large is not copied into the message: it follows it as a chunk of its own.
const splitPayloadFrom = 64 * 1024;

// The response in binary as chunks. A large payload is left out of toBinary (which would copy it) and appended,
// in the pieces it came in, as its own field after the rest: protobuf parsers accept fields in any order.
function encodeResponse({ response, pieces }: RunResult): Uint8Array[] {
  const payload = pieces ?? [response.payload];
  const size = payloadLength(payload);
  if (size < splitPayloadFrom) return [toBinary(ExecuteToolResponseSchema, whole({ response, pieces }))];
  const rest = toBinary(ExecuteToolResponseSchema, { ...response, payload: new Uint8Array(0) });
  const field = Buffer.allocUnsafe(11);
  field[0] = payloadTag;
  let at = 1;
  for (let n = size; ; n >>>= 7) {
    if (n < 0x80) {
      field[at++] = n;
      break;
    }
    field[at++] = (n & 0x7f) | 0x80;
  }
  return [rest, field.subarray(0, at), ...payload];
}

/** The answer carrying an error, in the shape each protocol gives errors (details included). */
export function errorAnswer(wire: Wire, contentType: string, error: ConnectError): Answer {
  switch (wire) {
    case "connect-proto":
    case "connect-json":
      return {
        status: codeToHttpStatus(error.code),
        headers: { "content-type": "application/json" },
        body: [errorToJsonBytes(error, {})],
      };
    case "grpc":
      // Trailers-only: the status travels in the one HEADERS frame.
      return { status: 200, headers: { "content-type": contentType, ...statusHeaders(error) }, body: [] };
    default: {
      let lines = "";
      for (const [name, value] of Object.entries(statusHeaders(error))) lines += `${name}: ${value}\r\n`;
      return {
        status: 200,
        headers: { "content-type": "application/grpc-web+proto" },
        body: [envelope(trailerFlag, new TextEncoder().encode(lines))],
      };
    }
  }
}

function statusHeaders(error: ConnectError): Record<string, string> {
  const out: Record<string, string> = {};
  setTrailerStatus(new Headers(), error).forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

function checkSize(bytes: number, max: number): void {
  if (bytes > max) {
    throw new ConnectError(`the response is ${bytes} bytes, over the ${max}-byte message limit`, Code.ResourceExhausted);
  }
}

function enveloped(message: Uint8Array[], length: number): Uint8Array[] {
  if (message.length === 1 && length < joinBelow) return [envelope(0, message[0])];
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return [prefix, ...message];
}

function envelope(flags: number, data: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(5 + data.length);
  out[0] = flags;
  out.writeUInt32BE(data.length, 1);
  out.set(data, 5);
  return out;
}
