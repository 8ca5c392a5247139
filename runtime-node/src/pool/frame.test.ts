import { describe, expect, it } from "vitest";
import { createFrameDecoder, encodeFrame, type FrameBody, type FrameHeader, maxHeaderBytes } from "./frame.js";

interface Decoded {
  frames: { header: FrameHeader; body: Buffer; pieces: number }[];
  oversized: { header: FrameHeader; bodyLength: number }[];
  errors: Error[];
}

function decoder(maxBodyBytes = 1024) {
  const out: Decoded = { frames: [], oversized: [], errors: [] };
  const d = createFrameDecoder({
    maxBodyBytes,
    onFrame: (header, body: FrameBody) =>
      out.frames.push({
        header,
        body: Array.isArray(body) ? Buffer.concat(body) : Buffer.from(body),
        pieces: Array.isArray(body) ? body.length : 1,
      }),
    onOversized: (header, bodyLength) => out.oversized.push({ header, bodyLength }),
    onError: (error) => out.errors.push(error),
  });
  return { push: (b: Buffer) => d.push(b), out };
}

const bytes = (parts: (Buffer | Uint8Array)[]) => Buffer.concat(parts);

describe("frame codec", () => {
  it("round-trips a header and a binary body", () => {
    const body = Buffer.from([0, 1, 2, 255]);
    const { push, out } = decoder();
    push(bytes(encodeFrame({ t: "call", id: 1, text: "héllo ✓" }, body)));
    expect(out.frames).toEqual([{ header: { t: "call", id: 1, text: "héllo ✓" }, body, pieces: 1 }]);
  });

  it("writes the lengths big-endian in front of the header", () => {
    const [head, body] = encodeFrame({ t: "x" }, Buffer.from("ab"));
    expect(head.readUInt32BE(0)).toBe(Buffer.byteLength('{"t":"x"}'));
    expect(head.readUInt32BE(4)).toBe(2);
    expect(Buffer.from(body).toString()).toBe("ab");
    expect(encodeFrame({ t: "x" })).toHaveLength(1);
  });

  it("decodes frames split at every possible byte", () => {
    const stream = bytes([
      ...encodeFrame({ t: "a", id: 1 }, Buffer.from("first body")),
      ...encodeFrame({ t: "b", id: 2 }),
      ...encodeFrame({ t: "c", id: 3 }, Buffer.alloc(300, 7)),
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      const { push, out } = decoder();
      push(stream.subarray(0, cut));
      push(stream.subarray(cut));
      expect(out.frames.map((f) => f.header.t)).toEqual(["a", "b", "c"]);
      expect(out.frames[0].body.toString()).toBe("first body");
      expect(out.frames[2].body).toEqual(Buffer.alloc(300, 7));
    }
  });

  it("decodes a stream fed one byte at a time", () => {
    const stream = bytes([...encodeFrame({ t: "a" }, Buffer.from("xyz")), ...encodeFrame({ t: "b" })]);
    const { push, out } = decoder();
    for (const byte of stream) push(Buffer.from([byte]));
    expect(out.frames.map((f) => [f.header.t, f.body.toString()])).toEqual([
      ["a", "xyz"],
      ["b", ""],
    ]);
  });

  it("decodes many frames in one chunk", () => {
    const frames = Array.from({ length: 500 }, (_, i) => encodeFrame({ t: "chunk", id: i }, Buffer.from(String(i))));
    const { push, out } = decoder();
    push(bytes(frames.flat()));
    expect(out.frames).toHaveLength(500);
    expect(out.frames[499]).toEqual({ header: { t: "chunk", id: 499 }, body: Buffer.from("499"), pieces: 1 });
  });

  it("skips an oversized body, reports it, and decodes the next frame", () => {
    const stream = bytes([
      ...encodeFrame({ t: "result", id: 1 }, Buffer.alloc(5000, 1)),
      ...encodeFrame({ t: "result", id: 2 }, Buffer.from("ok")),
    ]);
    for (const size of [stream.length, 1000, 7]) {
      const { push, out } = decoder(1024);
      for (let i = 0; i < stream.length; i += size) push(stream.subarray(i, i + size));
      expect(out.oversized).toEqual([{ header: { t: "result", id: 1 }, bodyLength: 5000 }]);
      expect(out.frames).toEqual([{ header: { t: "result", id: 2 }, body: Buffer.from("ok"), pieces: 1 }]);
    }
  });

  it("hands a large body that spans reads on as its pieces, without copying", () => {
    const big = Buffer.alloc(700_000).map((_, i) => i % 253);
    const stream = bytes([...encodeFrame({ t: "result", id: 1 }, big), ...encodeFrame({ t: "result", id: 2 }, Buffer.from("x"))]);
    const { push, out } = decoder(1 << 20);
    for (let i = 0; i < stream.length; i += 65_536) push(stream.subarray(i, i + 65_536));
    expect(out.frames.map((f) => [f.header.id, f.body.length, f.pieces > 1])).toEqual([
      [1, 700_000, true],
      [2, 1, false],
    ]);
    expect(out.frames[0].body.equals(big)).toBe(true);
  });

  it("writes a body given in pieces after the header, untouched", () => {
    const pieces = [Buffer.from("ab"), Buffer.from("cd")];
    const parts = encodeFrame({ t: "call" }, pieces);
    expect(parts.slice(1)).toEqual(pieces);
    expect(Buffer.from(parts[0]).readUInt32BE(4)).toBe(4);
  });

  it("stops with an error on a header larger than the limit", () => {
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(maxHeaderBytes + 1, 0);
    const { push, out } = decoder();
    push(prefix);
    push(bytes(encodeFrame({ t: "late" })));
    expect(out.errors[0].message).toMatch(/exceeds/);
    expect(out.frames).toEqual([]);
  });

  it("stops with an error on a header that is not a JSON object", () => {
    const header = Buffer.from("[1,2]");
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32BE(header.length, 0);
    const { push, out } = decoder();
    push(bytes([prefix, header]));
    expect(out.errors[0].message).toMatch(/JSON object/);
  });
});
