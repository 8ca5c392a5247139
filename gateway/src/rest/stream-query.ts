import type { JsonObject } from "@bufbuild/protobuf";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AuthVariables } from "../auth/middleware.js";
import type { ToolDispatch } from "../routing/tool-dispatch.js";
import { badQuery, queryTooLong } from "./errors.js";
import { timeoutField } from "./request-body.js";
import { endEventId, type StreamCall, streamEvents, toolOfPath } from "./stream.js";

/**
 * Longest query string of a GET stream. Arguments that need more belong in a POST body; this also
 * stays under the 16 KiB that Node (and most proxies) allow for a request line and headers.
 */
export const maxQueryBytes = 8 * 1024;

/**
 * GET /v1/tools/{name}:stream?args=<JSON object>&session_id=&request_id=&timeout_ms=&access_token=
 * -> the same events as the POST route, for a browser's EventSource, which can send neither a body
 * nor headers (access_token: see auth/query-token.ts). With a session token and no session_id, the
 * call runs in the token's session. The result or error event that ends the stream has the id "end":
 * an EventSource that reconnects after it sends that back as Last-Event-ID and gets 204, which stops
 * it instead of running the tool again. Pages should still close the EventSource on either event.
 */
export function streamQueryRoute(dispatch: ToolDispatch) {
  return async (c: Context<{ Variables: AuthVariables }>) => {
    const tool = toolOfPath(c);
    if (tool === undefined) return c.notFound();
    const started = performance.now();
    const call: StreamCall = {
      tool,
      args: argsOf(c.req.query("args")),
      sessionId: c.req.query("session_id") || (c.get("principal").sessionId ?? ""),
      requestId: c.req.query("request_id") || crypto.randomUUID(),
      timeoutMs: timeoutField(c.req.query("timeout_ms"), "timeout_ms"),
    };
    return streamEvents(c, dispatch, call, started, endEventId);
  };
}

/**
 * What a GET stream answers before authentication: 204 to an EventSource reconnecting after the end
 * of its stream, RESOURCE_EXHAUSTED for a query over maxQueryBytes (read no further).
 */
export function streamQueryGuard() {
  return createMiddleware(async (c, next) => {
    if (c.req.header("last-event-id") === endEventId) return c.body(null, 204);
    const url = c.req.url;
    const query = url.indexOf("?");
    if (query >= 0 && url.length - query - 1 > maxQueryBytes) throw queryTooLong(maxQueryBytes);
    await next();
  });
}

function argsOf(text: string | undefined): JsonObject {
  if (text === undefined || text.trim() === "") return {};
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch {
    throw badQuery('"args" is not JSON (send it URL-encoded: args=encodeURIComponent(JSON.stringify(args)))');
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) throw badQuery('"args" must be a JSON object');
  return args as JsonObject;
}
