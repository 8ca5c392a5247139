import { describe, expect, it } from "vitest";
import { payloadBytes, payloadLength, payloadPieces } from "./payload.js";

describe("Payload", () => {
  it("measures, joins and lists one buffer or pieces", () => {
    const one = new Uint8Array([1, 2, 3]);
    const pieces = [new Uint8Array([1]), new Uint8Array([2, 3])];
    expect(payloadLength(one)).toBe(3);
    expect(payloadLength(pieces)).toBe(3);
    expect(payloadBytes(one)).toBe(one);
    expect([...payloadBytes(pieces)]).toEqual([1, 2, 3]);
    expect(payloadPieces(one)).toEqual([one]);
    expect(payloadPieces(pieces)).toBe(pieces);
  });
});
