import { create } from "@bufbuild/protobuf";
import { ConnectError } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import {
  type BatchExecuteToolsRequest,
  type BatchExecuteToolsResponse,
  type BatchOutcome,
  BatchOutcomeSchema,
  ExecuteToolRequestSchema,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Principal } from "../auth/principal.js";
import type { CallScope, ToolDispatch } from "../routing/tool-dispatch.js";
import { batchAborted, batchTooLarge } from "./errors.js";

/** Bounds of BatchExecuteTools. */
export interface BatchLimits {
  /** Most calls in one batch. */
  maxCalls: number;
  /** Calls in flight at once when the request says 0. */
  defaultParallel: number;
  /** Most calls in flight at once, whatever the request says. */
  maxParallel: number;
}

/**
 * Runs a batch through the gateway: each call is routed on its own (calls may name tools on
 * different runtimes), up to max_parallel at once, and each has its own outcome in input order. A
 * call the principal may not make fails alone, as PERMISSION_DENIED, without reaching a runtime.
 * With stop_on_error, calls not started after the first failure are ABORTED.
 */
export async function runBatch(
  dispatch: ToolDispatch,
  principal: Principal,
  request: BatchExecuteToolsRequest,
  scope: CallScope,
  limits: BatchLimits,
): Promise<BatchExecuteToolsResponse> {
  const calls = request.calls;
  if (calls.length > limits.maxCalls) throw batchTooLarge(calls.length, limits.maxCalls);
  const session = await dispatch.openSession(principal, request.sessionId);
  const outcomes = new Array<BatchOutcome>(calls.length);
  const parallel = Math.min(request.maxParallel || limits.defaultParallel, limits.maxParallel, calls.length);
  let next = 0;
  let failed = false;

  async function lane(): Promise<void> {
    while (next < calls.length) {
      const index = next++;
      const call = calls[index];
      if (failed && request.stopOnError) {
        outcomes[index] = failure(batchAborted(call.tool), call.tool);
        continue;
      }
      try {
        const executeRequest = create(ExecuteToolRequestSchema, {
          tool: call.tool,
          args: call.args,
          sessionId: request.sessionId,
          requestId: call.requestId,
          payload: call.payload,
        });
        const response = await dispatch.execute(principal, executeRequest, scope, session);
        outcomes[index] = create(BatchOutcomeSchema, { outcome: { case: "response", value: response } });
      } catch (err) {
        failed = true;
        outcomes[index] = failure(ConnectError.from(err), call.tool);
      }
    }
  }

  await Promise.all(Array.from({ length: parallel }, lane));
  return { $typeName: "toolbridge.v1.BatchExecuteToolsResponse", outcomes };
}

function failure(error: ConnectError, tool: string): BatchOutcome {
  const info = errorInfoOf(error);
  if (info.tool === "") info.tool = tool;
  return { $typeName: "toolbridge.v1.BatchOutcome", outcome: { case: "error", value: info } };
}
