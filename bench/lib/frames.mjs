// Length-prefixed frames of the worker protocol (python/PROTOCOL.md): uint32 H, uint32 B, JSON header, raw body.

const EMPTY = Buffer.alloc(0);

/** The 8-byte prefix and JSON header of a frame, as one buffer; the body is written separately (no copy). */
export function encodeFrameHead(header, bodyLength) {
  const json = Buffer.from(JSON.stringify(header));
  const head = Buffer.allocUnsafe(8 + json.length);
  head.writeUInt32BE(json.length, 0);
  head.writeUInt32BE(bodyLength, 4);
  json.copy(head, 8);
  return head;
}

/**
 * An incremental decoder: push() chunks as they arrive; onFrame(header, body) runs for each whole frame.
 * A large body is gathered as a list of chunks and joined once.
 */
export function createFrameDecoder(onFrame) {
  let chunks = [];
  let buffered = 0;
  let need = 8; // bytes needed before the next step
  let headerLength = -1;
  let bodyLength = -1;

  function take(n) {
    let out;
    if (chunks[0].length === n) {
      out = chunks.shift();
    } else if (chunks[0].length > n) {
      out = chunks[0].subarray(0, n);
      chunks[0] = chunks[0].subarray(n);
    } else {
      const all = Buffer.concat(chunks, buffered);
      out = all.subarray(0, n);
      chunks = n < all.length ? [all.subarray(n)] : [];
    }
    buffered -= n;
    return out;
  }

  return {
    push(chunk) {
      chunks.push(chunk);
      buffered += chunk.length;
      while (buffered >= need) {
        if (headerLength < 0) {
          const prefix = take(8);
          headerLength = prefix.readUInt32BE(0);
          bodyLength = prefix.readUInt32BE(4);
          need = headerLength + bodyLength;
          continue;
        }
        const header = JSON.parse(take(headerLength).toString("utf8"));
        const body = bodyLength > 0 ? take(bodyLength) : EMPTY;
        headerLength = -1;
        need = 8;
        onFrame(header, body);
      }
    },
  };
}
