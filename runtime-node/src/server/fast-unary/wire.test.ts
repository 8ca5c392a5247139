import { create, fromBinary, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { errorFromJsonBytes } from "@connectrpc/connect/protocol-connect";
import { findTrailerError } from "@connectrpc/connect/protocol-grpc";
import { trailerParse } from "@connectrpc/connect/protocol-grpc-web";
import { errorInfoOf, toolError, toValue } from "@toolbridge/proto";
import {
  ExecuteToolRequestSchema,
  ExecuteToolResponseSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import { decodeRequest, errorAnswer, successAnswer, wireOf } from "./wire.js";

const concat = (chunks: Uint8Array[]) => Buffer.concat(chunks);
// Decoding from a Buffer gives Buffer views; compare contents, not classes.
const plain = <T extends { payload: Uint8Array }>(m: T): T => ({ ...m, payload: new Uint8Array(m.payload) });
const response = (payload = new Uint8Array(0)) =>
  create(ExecuteToolResponseSchema, {
    result: toValue({ ok: [1, "two"] }),
    payload,
    timings: { queueMs: 0.5, runMs: 1.25, totalMs: 2 },
    requestId: "r1",
    runtimeId: "rt",
  });
const failure = toolError(Code.InvalidArgument, "bad /text", { field: "/text", tool: "reverse_text", type: "X" });

function envelope(flags: number, data: Uint8Array): Buffer {
  const prefix = Buffer.alloc(5);
  prefix[0] = flags;
  prefix.writeUInt32BE(data.length, 1);
  return Buffer.concat([prefix, data]);
}

describe("wireOf", () => {
  it("takes the plain unary wires and leaves the rest to connect", () => {
    expect(wireOf({ "content-type": "application/proto" }, false)).toBe("connect-proto");
    expect(wireOf({ "content-type": "application/json", "connect-protocol-version": "1" }, true)).toBe("connect-json");
    expect(wireOf({ "content-type": "application/grpc" }, true)).toBe("grpc");
    expect(wireOf({ "content-type": "application/grpc-web+proto" }, false)).toBe("grpc-web");
    expect(wireOf({ "content-type": "application/grpc" }, false)).toBeUndefined();
    expect(wireOf({ "content-type": "application/proto", "content-encoding": "gzip" }, false)).toBeUndefined();
    expect(wireOf({ "content-type": "application/grpc", "grpc-encoding": "gzip" }, true)).toBeUndefined();
    expect(wireOf({ "content-type": "application/proto", "connect-protocol-version": "2" }, true)).toBeUndefined();
    expect(wireOf({ "content-type": "application/grpc-web-text" }, true)).toBeUndefined();
    expect(wireOf({ "content-type": "application/connect+proto" }, true)).toBeUndefined();
  });
});

describe("decodeRequest", () => {
  const request = create(ExecuteToolRequestSchema, { tool: "echo", args: { a: 1 }, payload: new Uint8Array([1, 2]) });
  const bytes = toBinary(ExecuteToolRequestSchema, request);

  it("decodes every wire", () => {
    expect(plain(decodeRequest("connect-proto", bytes))).toEqual(request);
    expect(plain(decodeRequest("grpc", envelope(0, bytes)))).toEqual(request);
    expect(plain(decodeRequest("grpc-web", envelope(0, bytes)))).toEqual(request);
    const json = Buffer.from(toJsonString(ExecuteToolRequestSchema, request));
    expect(plain(decodeRequest("connect-json", json))).toEqual(request);
  });

  it("refuses malformed bodies with INVALID_ARGUMENT", () => {
    for (const [wire, body] of [
      ["grpc", envelope(1, bytes)],
      ["grpc", bytes.subarray(0, 3)],
      ["grpc", Buffer.concat([envelope(0, bytes), envelope(0, bytes)])],
      ["connect-json", Buffer.from("{not json")],
      ["connect-proto", Buffer.from([0xff, 0xff, 0xff])],
    ] as const) {
      let error: unknown;
      try {
        decodeRequest(wire, body);
      } catch (e) {
        error = e;
      }
      expect(error, wire).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    }
  });
});

describe("successAnswer", () => {
  it("encodes a response each clients' way", () => {
    const r = response();
    const result = { response: r };
    expect(plain(fromBinary(ExecuteToolResponseSchema, concat(successAnswer("connect-proto", "", result, 1e6).body)))).toEqual(r);
    const grpc = successAnswer("grpc", "application/grpc", result, 1e6);
    expect(grpc.trailers).toEqual({ "grpc-status": "0" });
    expect(grpc.headers["content-type"]).toBe("application/grpc");
    expect(plain(fromBinary(ExecuteToolResponseSchema, concat(grpc.body).subarray(5)))).toEqual(r);
    const web = concat(successAnswer("grpc-web", "application/grpc-web", result, 1e6).body);
    const length = web.readUInt32BE(1);
    expect(plain(fromBinary(ExecuteToolResponseSchema, web.subarray(5, 5 + length)))).toEqual(r);
    expect(web[5 + length]).toBe(0x80);
    expect(trailerParse(web.subarray(10 + length)).get("grpc-status")).toBe("0");
  });

  it("sends a large payload without copying it, as a field after the rest", () => {
    const payload = new Uint8Array(200_000).map((_, i) => i % 256);
    const r = response(payload);
    const answer = successAnswer("grpc", "application/grpc", { response: r }, 1e6);
    expect(answer.body.at(-1)).toBe(payload);
    const bytes = concat(answer.body);
    expect(bytes.readUInt32BE(1)).toBe(bytes.length - 5);
    const decoded = fromBinary(ExecuteToolResponseSchema, bytes.subarray(5));
    expect(Buffer.compare(decoded.payload, payload)).toBe(0);
    expect({ ...decoded, payload: undefined }).toEqual({ ...r, payload: undefined });
  });

  it("sends a payload that came in pieces as those pieces", () => {
    const pieces = [new Uint8Array(70_000).fill(1), new Uint8Array(5).fill(2)];
    const r = response();
    const answer = successAnswer("connect-proto", "", { response: r, pieces }, 1e6);
    expect(answer.body.slice(-2)).toEqual(pieces);
    expect(answer.body.at(-1)).toBe(pieces[1]);
    const decoded = fromBinary(ExecuteToolResponseSchema, concat(answer.body));
    expect(Buffer.compare(decoded.payload, Buffer.concat(pieces))).toBe(0);
    const json = concat(successAnswer("connect-json", "", { response: response(), pieces: [new Uint8Array([1, 2])] }, 1e6).body);
    expect(JSON.parse(json.toString()).payload).toBe("AQI=");
  });

  it("refuses a response over the limit with RESOURCE_EXHAUSTED", () => {
    expect(() => successAnswer("connect-proto", "", { response: response(new Uint8Array(2000)) }, 1000)).toThrow(
      expect.objectContaining({ code: Code.ResourceExhausted }),
    );
  });
});

describe("errorAnswer", () => {
  it("gives Connect errors their HTTP status and JSON body with details", () => {
    const answer = errorAnswer("connect-json", "application/json", failure);
    expect(answer.status).toBe(400);
    const error = errorFromJsonBytes(concat(answer.body), undefined, new ConnectError("x"));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(error)).toMatchObject({ field: "/text", tool: "reverse_text" });
  });

  it("gives gRPC errors as trailers-only headers with the details", () => {
    const answer = errorAnswer("grpc", "application/grpc+proto", failure);
    expect(answer.body).toEqual([]);
    const error = findTrailerError(new Headers(answer.headers));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(error)).toMatchObject({ field: "/text", type: "X" });
  });

  it("gives gRPC-Web errors as a trailer frame with the details", () => {
    const body = concat(errorAnswer("grpc-web", "application/grpc-web", failure).body);
    expect(body[0]).toBe(0x80);
    const error = findTrailerError(trailerParse(body.subarray(5)));
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(error).tool).toBe("reverse_text");
  });
});
