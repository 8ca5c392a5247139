// The Connect protocol's unary binary exchange on Node's own request objects, for the fast paths
// (node-fast-execute.ts, node-fast-unary.ts): which requests qualify, reading a bounded body, and
// answering on an HTTP/2 stream or an HTTP/1.1 response.
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes, parseTimeout } from "@connectrpc/connect/protocol-connect";
import type { HeaderReader } from "../auth/authenticate.js";

/** A Connect unary answer: the status, content type and body to send as they are. */
export interface Answer {
  status: number;
  contentType: string;
  body: Uint8Array;
}

/** The content type of binary Connect unary messages. */
export const protoType = "application/proto";
/** The content type of Connect errors (and JSON messages). */
export const jsonType = "application/json";

/**
 * True for a request a fast path speaks: a Connect unary POST with a binary message, uncompressed,
 * not from a browser (those need the CORS headers of the Hono app).
 */
export function isBinaryConnectUnary(method: string | undefined, headers: IncomingHttpHeaders): boolean {
  return (
    method === "POST" &&
    headers["content-type"] === protoType &&
    headers.origin === undefined &&
    (headers["content-encoding"] === undefined || headers["content-encoding"] === "identity") &&
    (headers["connect-protocol-version"] === undefined || headers["connect-protocol-version"] === "1")
  );
}

/** The first value of a header. */
export function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Node's headers as a HeaderReader. */
export function readerOf(headers: IncomingHttpHeaders): HeaderReader {
  return { get: (name) => one(headers[name]) ?? null };
}

/** The request's Connect timeout in ms (undefined for none); throws INVALID_ARGUMENT for a malformed one. */
export function timeoutOf(headers: IncomingHttpHeaders): number | undefined {
  const timeout = parseTimeout(one(headers["connect-timeout-ms"]) ?? null, Number.MAX_SAFE_INTEGER);
  if (timeout.error !== undefined) throw timeout.error;
  return timeout.timeoutMs;
}

/** DEADLINE_EXCEEDED for a call past its deadline. */
export function deadlineExceeded(timeoutMs: number): ConnectError {
  return new ConnectError(`the call did not finish within its deadline of ${timeoutMs} ms`, Code.DeadlineExceeded);
}

/** CANCELED for a client that went away. */
export function clientGone(): ConnectError {
  return new ConnectError("the client cancelled the call", Code.Canceled);
}

/** The Connect answer of an error: its HTTP status and the error as JSON (with its details). */
export function errorAnswer(error: ConnectError): Answer {
  return { status: codeToHttpStatus(error.code), contentType: jsonType, body: errorToJsonBytes(error, {}) };
}

/** Collects a body, refusing more than `max` bytes. A body in one chunk (the usual case) is not copied. */
export function readBody(body: NodeJS.ReadableStream, max: number, done: (error: ConnectError | undefined, bytes: Uint8Array) => void): void {
  const chunks: Buffer[] = [];
  let length = 0;
  let failed = false;
  body.on("data", (chunk: Buffer) => {
    if (failed) return;
    length += chunk.length;
    if (length > max) {
      failed = true;
      chunks.length = 0;
      done(new ConnectError(`the request is over the ${max}-byte message limit`, Code.ResourceExhausted), new Uint8Array(0));
      return;
    }
    chunks.push(chunk);
  });
  body.once("end", () => {
    if (!failed) done(undefined, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
  });
}

/** Sends an answer on an HTTP/2 stream, unless the stream is gone. */
export function answerHttp2(stream: ServerHttp2Stream, answer: Answer): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond({ ":status": answer.status, "content-type": answer.contentType, "content-length": answer.body.length });
  stream.end(answer.body);
}

/** Sends an answer on an HTTP/1.1 response, unless it is gone. */
export function answerHttp1(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.status, { "content-type": answer.contentType, "content-length": String(answer.body.length) });
  res.end(answer.body);
}
