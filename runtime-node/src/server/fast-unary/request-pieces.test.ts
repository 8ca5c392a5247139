import { create, toBinary } from "@bufbuild/protobuf";
import { ExecuteToolRequestSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import { decodeRequestInPieces } from "./request-pieces.js";

const payload = Buffer.alloc(300_000).map((_, i) => i % 251);
const request = create(ExecuteToolRequestSchema, {
  tool: "echo_bytes",
  args: { a: [1, "x"] },
  sessionId: "s",
  requestId: "r",
  payload,
});
const bytes = Buffer.from(toBinary(ExecuteToolRequestSchema, request));

function chunked(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) out.push(buffer.subarray(i, i + size));
  return out;
}

describe("decodeRequestInPieces", () => {
  it.each([1, 7, 16_384, 65_536, 100_000])("decodes the fields and keeps the payload in pieces (%d-byte reads)", (size) => {
    const chunks = chunked(bytes, size);
    const parsed = decodeRequestInPieces(chunks, 0, bytes.length);
    expect(parsed?.request).toMatchObject({ tool: "echo_bytes", args: { a: [1, "x"] }, sessionId: "s", requestId: "r" });
    expect(parsed?.request.payload.length).toBe(0);
    expect(Buffer.compare(Buffer.concat(parsed?.payload ?? []), payload)).toBe(0);
    // Views into the reads, not copies.
    if (size >= 65_536) expect(parsed?.payload.at(-1)?.buffer).toBe(chunks.at(-1)?.buffer);
  });

  it("skips a message envelope in front", () => {
    const envelope = Buffer.alloc(5);
    envelope.writeUInt32BE(bytes.length, 1);
    const body = Buffer.concat([envelope, bytes]);
    const parsed = decodeRequestInPieces(chunked(body, 65_536), 5, body.length);
    expect(parsed?.request.tool).toBe("echo_bytes");
    expect(Buffer.compare(Buffer.concat(parsed?.payload ?? []), payload)).toBe(0);
  });

  it("gives up when the payload is not the last field", () => {
    const tail = Buffer.from(toBinary(ExecuteToolRequestSchema, create(ExecuteToolRequestSchema, { tool: "again" })));
    const body = Buffer.concat([bytes, tail]);
    expect(decodeRequestInPieces(chunked(body, 65_536), 0, body.length)).toBeUndefined();
  });

  it("gives up when the fields before the payload do not fit in the first 64 KiB", () => {
    const big = create(ExecuteToolRequestSchema, { tool: "t", args: { text: "x".repeat(70_000) }, payload });
    const body = Buffer.from(toBinary(ExecuteToolRequestSchema, big));
    expect(decodeRequestInPieces(chunked(body, 65_536), 0, body.length)).toBeUndefined();
  });

  it("gives up on a message without a payload", () => {
    const small = Buffer.from(toBinary(ExecuteToolRequestSchema, create(ExecuteToolRequestSchema, { tool: "t" })));
    expect(decodeRequestInPieces([small], 0, small.length)).toBeUndefined();
  });
});
