/**
 * Bytes that may be in pieces: one buffer, or the pieces a large payload arrived in (socket or pipe reads),
 * which are passed on as they are, never copied together, unless something needs them contiguous.
 */
export type Payload = Uint8Array | readonly Uint8Array[];

/** The number of bytes. */
export function payloadLength(payload: Payload): number {
  if (!Array.isArray(payload)) return (payload as Uint8Array).byteLength;
  let n = 0;
  for (const piece of payload as readonly Uint8Array[]) n += piece.byteLength;
  return n;
}

/** The bytes in one buffer (a copy only when they are in pieces). */
export function payloadBytes(payload: Payload): Uint8Array {
  if (!Array.isArray(payload)) return payload as Uint8Array;
  const pieces = payload as readonly Uint8Array[];
  return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
}

/** The bytes as a list of pieces. */
export function payloadPieces(payload: Payload): readonly Uint8Array[] {
  return Array.isArray(payload) ? (payload as readonly Uint8Array[]) : [payload as Uint8Array];
}
