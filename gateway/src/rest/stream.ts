import { create, type JsonObject } from "@bufbuild/protobuf";
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

/** The id of a GET stream's last event (result or error), which an EventSource sends back as Last-Event-ID if it reconnects. */
export const endEventId = "end";

/** A streaming call as a route read it from its request. */
export interface StreamCall {
  tool: string;
  args: JsonObject;
  sessionId: string;
  requestId: string;
  timeoutMs: number | undefined;
}

/**
 * POST /v1/tools/{name}:stream with the tool's JSON arguments as the body (query: session_id,
 * request_id, timeout_ms) -> text/event-stream of `chunk` {index, data}, `progress` {fraction,
 * message}, then `result` {output, metadata}, or `error` {code, message, ...}. Failures before the
 * first event (auth, permissions, routing, a tool that fails at once) are plain HTTP errors instead,
 * so curl users get a status; leaving the stream cancels the tool. GET takes the same call from a
 * browser's EventSource (stream-query.ts).
 */
export function streamRoute(dispatch: ToolDispatch) {
  return async (c: Context<{ Variables: AuthVariables }>) => {
    const tool = toolOfPath(c);
    if (tool === undefined) return c.notFound();
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
    const call: StreamCall = {
      tool,
      args: args as JsonObject,
      sessionId: c.req.query("session_id") ?? "",
      requestId: c.req.query("request_id") || crypto.randomUUID(),
      timeoutMs: timeoutField(c.req.query("timeout_ms"), "timeout_ms"),
    };
    return streamEvents(c, dispatch, call, started, undefined);
  };
}

/** The tool named by a /v1/tools/{name}:stream path; undefined when the path does not end in ":stream". */
export function toolOfPath(c: Context): string | undefined {
  const spec = c.req.param("spec") ?? "";
  if (!spec.endsWith(suffix)) return undefined;
  try {
    return decodeURIComponent(spec.slice(0, -suffix.length));
  } catch {
    throw badBody("the tool name in the path is not valid percent-encoding");
  }
}

/**
 * Runs a streaming call and answers with its events; a failure before the first event is thrown (an
 * HTTP error). `lastId`, when set, is the id of the result or error event that ends the stream.
 */
export async function streamEvents(
  c: Context<{ Variables: AuthVariables }>,
  dispatch: ToolDispatch,
  call: StreamCall,
  started: number,
  lastId: string | undefined,
) {
  const { requestId, timeoutMs } = call;
  const request = create(StreamToolRequestSchema, {
    tool: call.tool,
    args: call.args as Record<string, never>,
    sessionId: call.sessionId,
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
        const event = eventOf(next.value, requestId, started);
        await sse.writeSSE(event.event === "result" ? { ...event, id: lastId } : event);
      }
    } catch (err) {
      if (!sse.aborted) await sse.writeSSE({ event: "error", data: JSON.stringify(restError(err)), id: lastId });
    } finally {
      stop.abort();
      await events.return?.();
    }
  });
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
