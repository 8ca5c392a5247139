import type { ServiceImpl } from "@connectrpc/connect";
import type { BatchLimits } from "@toolbridge/proto";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { ToolDispatch } from "../routing/tool-dispatch.js";
import { runGatewayBatch } from "./batch.js";
import { principalOf, scopeOf } from "./principal-of.js";

/** Options of createToolService. */
export interface ToolServiceOptions {
  /** Checks, routes and forwards the calls. */
  dispatch: ToolDispatch;
  /** Bounds of BatchExecuteTools. */
  batch: BatchLimits;
}

/** toolbridge.v1.ToolService on the gateway: every tool of every live runtime, routed. */
export function createToolService(options: ToolServiceOptions): ServiceImpl<typeof ToolService> {
  const { dispatch, batch } = options;
  return {
    async listTools(request, context) {
      return { tools: await dispatch.listTools(principalOf(context), request.sessionId) };
    },
    executeTool(request, context) {
      return dispatch.execute(principalOf(context), request, scopeOf(context));
    },
    streamTool(request, context) {
      return dispatch.stream(principalOf(context), request, scopeOf(context));
    },
    batchExecuteTools(request, context) {
      return runGatewayBatch(dispatch, principalOf(context), request, scopeOf(context), batch);
    },
  };
}
