import { base64 } from "../../util/base64.js";

// http_get's body: read up to a bound, then given back as text when it is text, else as base64.

/** A body read up to its bound. */
export interface BoundedBody {
  /** The bytes read (at most the bound). */
  bytes: Uint8Array;
  /** True when the body went on past the bound. */
  overflowed: boolean;
}

/**
 * Reads a body, stopping once more than `maxBytes` arrived (the rest is cancelled, not read). Each
 * read races `stop`, so a stalled body ends when the call's time is up.
 */
export async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number, stop: Promise<never>): Promise<BoundedBody> {
  if (body === null) return { bytes: new Uint8Array(0), overflowed: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let overflowed = false;
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), stop]);
      if (done) break;
      if (length + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - length));
        length = maxBytes;
        overflowed = true;
        break;
      }
      chunks.push(value);
      length += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { bytes, overflowed };
}

const textual = /^(text\/|application\/(json|xml|javascript|ecmascript|x-www-form-urlencoded|x-ndjson|yaml|x-yaml|toml)\b|[a-z]+\/[^;]*\+(json|xml)\b)/i;

/**
 * The body as the result carries it: text for a textual content type (or none) whose bytes decode
 * in its charset (UTF-8 unless it says otherwise), base64 for anything else. A body cut at the bound
 * loses a character split by the cut rather than failing to decode.
 */
export function encodeBody(bytes: Uint8Array, contentType: string, cut: boolean): { body: string; encoding: "text" | "base64" } {
  const type = contentType.trim();
  if (type === "" || textual.test(type)) {
    const charset = /;\s*charset="?([^";\s]+)/i.exec(type)?.[1] ?? "utf-8";
    try {
      const text = new TextDecoder(charset, { fatal: true, ignoreBOM: false }).decode(bytes, { stream: cut });
      // Without a content type, only text that looks like text.
      if (type !== "" || !/[\u0000-\u0008\u000e-\u001f]/.test(text)) return { body: text, encoding: "text" };
    } catch {
      // Not text after all (or a charset TextDecoder does not know): base64 below.
    }
  }
  return { body: base64(bytes), encoding: "base64" };
}
