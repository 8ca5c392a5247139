import { create } from "@bufbuild/protobuf";
import { fromValue } from "@toolbridge/proto";
import { type StreamToolResponse, StreamToolRequestSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AuthVariables } from "../auth/middleware.js";
import type { ToolDispatch } from "../routing/tool-dispatch.js";
import { badBody, restError } from "./errors.js";
import { base64 } from "../util/base64.js";
import { metadataOf } from "./execute.js";
import { timeoutField } from "./request-body.js";

const suffix = ":stream";

/**
 * POST /v1/tools/{name}:stream with the tool's JSON arguments as the body (query: session_id,
 * request_id, timeout_ms) -> text/event-stream of `chunk` {index, data}, `progress` {fraction,
 * message}, then `result` {output, metadata}, or `error` {code, message, ...}. Failures before the
 * first event (auth, permissions, routing, a tool that fails at once) are plain HTTP errors instead,
 * so curl users get a status; leaving the stream cancels the tool.
 */
export function streamRoute(dispatch: ToolDispatch) {
  return async (c: Context<{ Variables: AuthVariables }>) => {
    const spec = c.req.param("spec") ?? "";
    if (!spec.endsWith(suffix)) return c.notFound();
    let tool: string;
    try {
      tool = decodeURIComponent(spec.slice(0, -suffix.length));
    } catch {
      throw badBody("the tool name in the path is not valid percent-encoding");
    }
    const started = performance.now();
    const text = await c.req.text();
    let args: unknown = {};
    if (text.trim() !== "") {
      try {
        args = JSON.parse(text);
      } catch {
        throw badBody("the arguments are not JSON");
      }
    }
    if (typeof args !== "object" || args === null || Array.isArray(args)) throw badBody("the arguments must be a JSON object");
    const requestId = c.req.query("request_id") || crypto.randomUUID();
    const timeoutMs = timeoutField(c.req.query("timeout_ms"), "timeout_ms");
    const request = create(StreamToolRequestSchema, {
      tool,
      args: args as Record<string, never>,
      sessionId: c.req.query("session_id") ?? "",
      requestId,
    });
    const stop = new AbortController();
    const signal = AbortSignal.any([c.req.raw.signal, stop.signal]);
    const events = dispatch.stream(c.get("principal"), request, { signal, timeoutMs })[Symbol.asyncIterator]();
    let first: IteratorResult<StreamToolResponse>;
    try {
      first = await events.next();
    } catch (err) {
      stop.abort();
      throw err;
    }
    return streamSSE(c, async (sse) => {
      sse.onAbort(() => stop.abort());
      try {
        for (let next = first; !next.done; next = await events.next()) {
          await sse.writeSSE(eventOf(next.value, requestId, started));
        }
      } catch (err) {
        if (!sse.aborted) await sse.writeSSE({ event: "error", data: JSON.stringify(restError(err)) });
      } finally {
        stop.abort();
        await events.return?.();
      }
    });
  };
}

function eventOf(message: StreamToolResponse, requestId: string, started: number): { event: string; data: string } {
  const event = message.event;
  switch (event.case) {
    case "chunk": {
      const chunk = event.value;
      const data =
        chunk.payload.byteLength > 0
          ? { index: chunk.index, payload_base64: base64(chunk.payload) }
          : { index: chunk.index, data: fromValue(chunk.data) };
      return { event: "chunk", data: JSON.stringify(data) };
    }
    case "progress":
      return { event: "progress", data: JSON.stringify({ fraction: event.value.fraction, message: event.value.message }) };
    case "result": {
      const result = event.value;
      const output = result.result === undefined ? null : fromValue(result.result);
      return { event: "result", data: JSON.stringify({ output, metadata: metadataOf(result, requestId, started) }) };
    }
    default:
      return { event: "unknown", data: "{}" };
  }
}
