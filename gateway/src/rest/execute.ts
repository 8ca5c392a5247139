import { create } from "@bufbuild/protobuf";
import { fromValue } from "@toolbridge/proto";
import { type ExecuteToolResponse, ExecuteToolRequestSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AuthVariables } from "../auth/middleware.js";
import type { ToolDispatch } from "../routing/tool-dispatch.js";
import { base64 } from "../util/base64.js";
import { restError, restStatus } from "./errors.js";
import { jsonObjectBody, objectField, stringField, timeoutField } from "./request-body.js";

/** Timings and ids of a REST call, as its `metadata` carries them. */
export function metadataOf(response: ExecuteToolResponse | undefined, requestId: string, started: number) {
  const timings = response?.timings;
  return {
    runtime_id: response?.runtimeId ?? "",
    request_id: response?.requestId || requestId,
    timings: {
      queue_ms: timings?.queueMs ?? 0,
      run_ms: timings?.runMs ?? 0,
      runtime_ms: timings?.totalMs ?? 0,
      gateway_ms: performance.now() - started,
    },
  };
}

/**
 * POST /cluster-tools/execute: `{"tool_name", "input"?, "session_id"?, "request_id"?, "timeout_ms"?}`
 * -> `{"success", "output", "error", "metadata"}`, the shape users of cluster tool executors script
 * against. A failure has the HTTP status of its code and `error` {code, message, ...}.
 */
export function executeRoute(dispatch: ToolDispatch) {
  return async (c: Context<{ Variables: AuthVariables }>) => {
    const started = performance.now();
    const body = await jsonObjectBody(c);
    const tool = stringField(body, "tool_name", true);
    const args = objectField(body, "input");
    const sessionId = stringField(body, "session_id", false);
    const requestId = stringField(body, "request_id", false) || crypto.randomUUID();
    const timeoutMs = timeoutField(body.timeout_ms, "timeout_ms");
    try {
      const request = create(ExecuteToolRequestSchema, { tool, args, sessionId, requestId });
      const response = await dispatch.execute(c.get("principal"), request, { signal: c.req.raw.signal, timeoutMs });
      const output = response.result === undefined ? null : fromValue(response.result);
      const metadata: Record<string, unknown> = metadataOf(response, requestId, started);
      if (response.payload.byteLength > 0) metadata.payload_base64 = base64(response.payload);
      return c.json({ success: true, output, error: null, metadata });
    } catch (err) {
      const failure = { success: false, output: null, error: restError(err), metadata: metadataOf(undefined, requestId, started) };
      return c.json(failure, restStatus(err) as ContentfulStatusCode);
    }
  };
}
