import { create } from "@bufbuild/protobuf";
import { type BatchLimits, checkBatchSize, runBatch } from "@toolbridge/proto";
import {
  type BatchExecuteToolsRequest,
  type BatchExecuteToolsResponse,
  ExecuteToolRequestSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Principal } from "../auth/principal.js";
import type { CallScope, ToolDispatch } from "../routing/tool-dispatch.js";

/**
 * Runs a batch through the gateway (proto's runBatch: max_parallel, stop_on_error, outcomes in input order):
 * each call is routed on its own (calls may name tools on different runtimes), in the session opened once for
 * the batch. A call the principal may not make fails alone, as PERMISSION_DENIED, without reaching a runtime.
 */
export async function runGatewayBatch(
  dispatch: ToolDispatch,
  principal: Principal,
  request: BatchExecuteToolsRequest,
  scope: CallScope,
  limits: BatchLimits,
): Promise<BatchExecuteToolsResponse> {
  // A batch too large is refused before its session is touched.
  checkBatchSize(request, limits);
  const session = await dispatch.openSession(principal, request.sessionId);
  return runBatch(request, limits, (call) =>
    dispatch.execute(principal, create(ExecuteToolRequestSchema, call), scope, session),
  );
}
