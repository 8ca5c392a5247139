import type { Context } from "hono";
import type { AuthVariables } from "../auth/middleware.js";
import type { ToolDispatch } from "../routing/tool-dispatch.js";
import { jsonObjectBody, stringField } from "./request-body.js";

/**
 * POST /cluster-tools/resolve: `{"tool_name", "session_id"?}` -> `{"success": true, "endpoint",
 * "runtime_id"}`, the runtime a call would go to now; an unknown tool is a 404 with an error. A tool
 * the gateway serves itself resolves to the gateway's own URL, with runtime_id "gateway".
 */
export function resolveRoute(dispatch: ToolDispatch) {
  return async (c: Context<{ Variables: AuthVariables }>) => {
    const body = await jsonObjectBody(c);
    const tool = stringField(body, "tool_name", true);
    const sessionId = stringField(body, "session_id", false);
    const resolution = await dispatch.resolve(c.get("principal"), tool, sessionId);
    const endpoint = resolution.endpoint || new URL(c.req.url).origin;
    return c.json({ success: true, endpoint, runtime_id: resolution.runtimeId });
  };
}
