import { type Payload, payloadLength, payloadPieces } from "../payload.js";

// The worker protocol's frames (python/PROTOCOL.md): uint32 BE header length H, uint32 BE body length B,
// H bytes of UTF-8 JSON header, B bytes of raw body.

/** The largest header either side accepts. */
export const maxHeaderBytes = 16 * 1024 * 1024;

const prefixBytes = 8;
const emptyBody = Buffer.alloc(0);

/** A frame's JSON header: an object whose `t` names the frame type. */
export type FrameHeader = { t: string } & Record<string, unknown>;

/** A decoded body: one buffer, or for a large body the pieces it arrived in (see createFrameDecoder). */
export type FrameBody = Buffer | Buffer[];

/**
 * Encodes a frame as the buffers to write: the prefix and header in one buffer, then the body's pieces
 * untouched (never copied), so that callers can hand them all to a corked stream.
 */
export function encodeFrame(header: object, body?: Payload): Uint8Array[] {
  const json = JSON.stringify(header);
  // Small headers: one allocation sized for the worst case of UTF-8, then trimmed, which is cheaper than
  // measuring first; large ones are measured so as not to hold three times their size.
  const head = Buffer.allocUnsafe(prefixBytes + (json.length < 16384 ? json.length * 3 : Buffer.byteLength(json)));
  const headerLength = head.write(json, prefixBytes, "utf8");
  const bodyLength = body === undefined ? 0 : payloadLength(body);
  head.writeUInt32BE(headerLength, 0);
  head.writeUInt32BE(bodyLength, 4);
  const framed = head.subarray(0, prefixBytes + headerLength);
  return bodyLength > 0 ? [framed, ...payloadPieces(body as Payload)] : [framed];
}

/** A body at least this large that spans reads is handed on as its pieces instead of being copied together. */
export const piecewiseBodyBytes = 256 * 1024;

/** What a FrameDecoder reports. */
export interface FrameDecoderOptions {
  /** Largest body accepted; a larger one is skipped and reported through `onOversized`. */
  maxBodyBytes: number;
  /**
   * A whole frame. The body shares memory with the chunks pushed (never reused by the decoder); a large body
   * that spanned chunks comes as the list of its pieces.
   */
  onFrame(header: FrameHeader, body: FrameBody): void;
  /** A frame whose body exceeded maxBodyBytes; its bytes were discarded. */
  onOversized(header: FrameHeader, bodyLength: number): void;
  /** The stream cannot be decoded any further (a header too large or not a JSON object). */
  onError(error: Error): void;
}

/** A streaming decoder: push chunks as they arrive, in any sizes; frames come out through the callbacks. */
export interface FrameDecoder {
  push(chunk: Buffer): void;
}

/**
 * A FrameDecoder. Whole frames inside one chunk are sliced without copying; a small split body is copied once,
 * a large one (piecewiseBodyBytes and up) not at all.
 */
export function createFrameDecoder(options: FrameDecoderOptions): FrameDecoder {
  const { maxBodyBytes, onFrame, onOversized, onError } = options;
  // Bytes of an incomplete prefix or header, kept until the rest arrives.
  let partial: Buffer[] = [];
  let partialLength = 0;
  // The frame being assembled once its header is known.
  let header: FrameHeader | undefined;
  let body: Buffer | undefined;
  let pieces: Buffer[] | undefined;
  let bodyLength = 0;
  let bodyFilled = 0;
  let skipping = 0;
  let failed = false;

  function fail(error: Error): void {
    failed = true;
    partial = [];
    onError(error);
  }

  function parseHeader(bytes: Buffer): FrameHeader | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
      fail(new Error(`frame header is not JSON: ${(e as Error).message}`));
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null || typeof (parsed as FrameHeader).t !== "string") {
      fail(new Error("frame header is not a JSON object with a string \"t\""));
      return undefined;
    }
    return parsed as FrameHeader;
  }

  // Starts the body of a frame whose header is known; returns how many of `available` bytes it consumed.
  function startBody(h: FrameHeader, length: number, chunk: Buffer, offset: number): number {
    const available = chunk.length - offset;
    if (length > maxBodyBytes) {
      const skipped = Math.min(available, length);
      if (skipped === length) onOversized(h, length);
      else {
        header = h;
        skipping = length - skipped;
        bodyFilled = length;
      }
      return skipped;
    }
    if (available >= length) {
      onFrame(h, length === 0 ? emptyBody : chunk.subarray(offset, offset + length));
      return length;
    }
    header = h;
    bodyLength = length;
    bodyFilled = available;
    if (length >= piecewiseBodyBytes) {
      pieces = available > 0 ? [chunk.subarray(offset)] : [];
    } else {
      body = Buffer.allocUnsafe(length);
      chunk.copy(body, 0, offset);
    }
    return available;
  }

  function push(chunk: Buffer): void {
    if (failed) return;
    let offset = 0;
    while (offset < chunk.length && !failed) {
      if (skipping > 0) {
        const n = Math.min(skipping, chunk.length - offset);
        skipping -= n;
        offset += n;
        if (skipping === 0) {
          const h = header as FrameHeader;
          header = undefined;
          onOversized(h, bodyFilled);
        }
        continue;
      }
      if (body !== undefined || pieces !== undefined) {
        const n = Math.min(bodyLength - bodyFilled, chunk.length - offset);
        if (pieces !== undefined) pieces.push(offset === 0 && n === chunk.length ? chunk : chunk.subarray(offset, offset + n));
        else chunk.copy(body as Buffer, bodyFilled, offset, offset + n);
        bodyFilled += n;
        offset += n;
        if (bodyFilled === bodyLength) {
          const done: FrameBody = pieces ?? (body as Buffer);
          const h = header as FrameHeader;
          body = undefined;
          pieces = undefined;
          header = undefined;
          onFrame(h, done);
        }
        continue;
      }
      // Between frames: gather the prefix and header, from this chunk alone when they are all in it.
      let source = chunk;
      let start = offset;
      if (partialLength > 0) {
        partial.push(offset === 0 ? chunk : chunk.subarray(offset));
        partialLength += chunk.length - offset;
        source = Buffer.concat(partial, partialLength);
        start = 0;
        partial = [];
        partialLength = 0;
        offset = chunk.length;
      }
      const available = source.length - start;
      if (available < prefixBytes) {
        keep(source, start, chunk, offset);
        return;
      }
      const headerLength = source.readUInt32BE(start);
      const frameBodyLength = source.readUInt32BE(start + 4);
      if (headerLength > maxHeaderBytes) {
        fail(new Error(`frame header of ${headerLength} bytes exceeds the ${maxHeaderBytes}-byte limit`));
        return;
      }
      if (available < prefixBytes + headerLength) {
        keep(source, start, chunk, offset);
        return;
      }
      const h = parseHeader(source.subarray(start + prefixBytes, start + prefixBytes + headerLength));
      if (h === undefined) return;
      const bodyStart = start + prefixBytes + headerLength;
      const consumed = startBody(h, frameBodyLength, source, bodyStart);
      if (source === chunk) offset = bodyStart + consumed;
      else {
        // The gathered buffer may hold bytes past this frame: decode them as a fresh chunk.
        const rest = bodyStart + consumed;
        if (rest < source.length) push(source.subarray(rest));
        return;
      }
    }
  }

  // Keeps the unread tail for the next push. When it came from this chunk alone, slice it (no copy yet).
  function keep(source: Buffer, start: number, chunk: Buffer, offset: number): void {
    const tail = source === chunk ? chunk.subarray(offset) : source.subarray(start);
    partial = [tail];
    partialLength = tail.length;
  }

  return { push };
}
