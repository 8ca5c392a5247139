// A large ExecuteToolRequest arrives in many socket reads. Joining them costs a copy of the payload (and the
// garbage collector's time for one more large buffer); the payload only goes on to a Python worker, which takes
// it in pieces just as well. Protobuf encoders write fields in number order, so the payload (field 5) comes last:
// decode the fields before it, and hand the payload on as the pieces it arrived in.
import { fromBinary } from "@bufbuild/protobuf";
import { type ExecuteToolRequest, ExecuteToolRequestSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";

/** The request without its payload, and the payload in pieces. */
export interface PiecewiseRequest {
  request: ExecuteToolRequest;
  payload: Buffer[];
}

// The fields before the payload (tool, args, ids) are looked for in this many leading bytes.
const headBytes = 64 * 1024;
const payloadField = 5;

/**
 * Decodes a request whose message starts at `start` of the body given as `chunks` (`length` bytes in all), leaving
 * the payload in pieces. Undefined when the message is not laid out that way (payload not last, a field cut
 * off): the caller then decodes it whole.
 */
export function decodeRequestInPieces(chunks: Buffer[], start: number, length: number): PiecewiseRequest | undefined {
  const head = leading(chunks, Math.min(length, start + headBytes));
  let at = start;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (at >= head.length) return undefined;
      const byte = head[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return undefined;
  };
  while (at < head.length) {
    const fieldStart = at;
    const tag = varint();
    if (tag === undefined) return undefined;
    const wireType = tag & 7;
    const field = Math.floor(tag / 8);
    if (wireType === 2) {
      const size = varint();
      if (size === undefined) return undefined;
      if (field === payloadField) {
        if (at + size !== length) return undefined;
        const request = fromBinary(ExecuteToolRequestSchema, head.subarray(start, fieldStart));
        return { request, payload: slice(chunks, at, length) };
      }
      at += size;
    } else if (wireType === 0) {
      if (varint() === undefined) return undefined;
    } else if (wireType === 1) {
      at += 8;
    } else if (wireType === 5) {
      at += 4;
    } else {
      return undefined;
    }
  }
  return undefined;
}

// The first `n` bytes of the chunks, joined only when the first chunk is shorter.
function leading(chunks: Buffer[], n: number): Buffer {
  if (chunks[0].length >= n) return chunks[0];
  const parts: Buffer[] = [];
  let have = 0;
  for (const chunk of chunks) {
    if (have >= n) break;
    parts.push(chunk);
    have += chunk.length;
  }
  return Buffer.concat(parts, Math.min(have, n));
}

// The bytes from `from` to `to` of the chunks, as views into them.
function slice(chunks: Buffer[], from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  let offset = 0;
  for (const chunk of chunks) {
    const end = offset + chunk.length;
    if (end > from && offset < to) {
      const a = Math.max(from, offset) - offset;
      const b = Math.min(to, end) - offset;
      out.push(a === 0 && b === chunk.length ? chunk : chunk.subarray(a, b));
    }
    offset = end;
  }
  return out;
}
