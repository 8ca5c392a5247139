import { ConnectError } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import type {
  BatchExecuteToolsRequest,
  BatchExecuteToolsResponse,
  BatchOutcome,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { batchAborted, batchTooLarge } from "./call-errors.js";
import { type CallScope, type ToolRunner, whole } from "./tool-runner.js";

/** Limits of a batch. */
export interface BatchLimits {
  /** Most calls one batch may hold. */
  maxCalls: number;
  /** Calls in flight at once when the request says 0. */
  defaultParallel: number;
  /** Most calls in flight at once, whatever the request says. */
  maxParallel: number;
}

/**
 * Runs a batch: up to max_parallel calls at once, one outcome per call in input order, each failure as its
 * ErrorInfo. With stop_on_error, calls not started after the first failure are ABORTED.
 */
export async function runBatch(
  runner: ToolRunner,
  request: BatchExecuteToolsRequest,
  scope: CallScope,
  limits: BatchLimits,
): Promise<BatchExecuteToolsResponse> {
  const calls = request.calls;
  if (calls.length > limits.maxCalls) throw batchTooLarge(calls.length, limits.maxCalls);
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
        const { response } = await runner.run(
          {
            tool: call.tool,
            args: call.args,
            sessionId: request.sessionId,
            requestId: call.requestId,
            payload: call.payload,
          },
          scope,
        ).then((result) => ({ response: whole(result) }));
        outcomes[index] = { $typeName: "toolbridge.v1.BatchOutcome", outcome: { case: "response", value: response } };
      } catch (e) {
        failed = true;
        outcomes[index] = failure(ConnectError.from(e), call.tool);
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
