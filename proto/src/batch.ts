import type { JsonObject } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type {
  BatchExecuteToolsRequest,
  BatchExecuteToolsResponse,
  BatchOutcome,
  ExecuteToolResponse,
} from "../gen/toolbridge/v1/tool_pb.js";
import { errorInfoOf, toolError } from "./error-info.js";

// BatchExecuteTools as the gateway and the runtimes both serve it: only how one call runs differs
// (the gateway routes it, a runtime runs it itself), so that is what they pass in.

/** Bounds of BatchExecuteTools. */
export interface BatchLimits {
  /** Most calls one batch may hold. */
  maxCalls: number;
  /** Calls in flight at once when the request says 0. */
  defaultParallel: number;
  /** Most calls in flight at once, whatever the request says. */
  maxParallel: number;
}

/** One call of a batch: the fields of an ExecuteToolRequest, the session being the batch's. */
export interface BatchCall {
  tool: string;
  args: JsonObject | undefined;
  sessionId: string;
  requestId: string;
  payload: Uint8Array;
}

/** Runs one call of a batch; rejects with its error, which becomes that call's outcome alone. */
export type BatchExecutor = (call: BatchCall) => Promise<ExecuteToolResponse>;

/** INVALID_ARGUMENT unless the batch holds at most `limits.maxCalls` calls. */
export function checkBatchSize(request: BatchExecuteToolsRequest, limits: BatchLimits): void {
  const calls = request.calls.length;
  if (calls > limits.maxCalls) {
    throw new ConnectError(`the batch has ${calls} calls; at most ${limits.maxCalls} are allowed`, Code.InvalidArgument);
  }
}

/**
 * Runs a batch: up to max_parallel calls at once, one outcome per call in input order, each failure as its
 * ErrorInfo (naming the call's tool). With stop_on_error, calls not started after the first failure are ABORTED.
 */
export async function runBatch(
  request: BatchExecuteToolsRequest,
  limits: BatchLimits,
  execute: BatchExecutor,
): Promise<BatchExecuteToolsResponse> {
  checkBatchSize(request, limits);
  const calls = request.calls;
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
        const response = await execute({
          tool: call.tool,
          args: call.args,
          sessionId: request.sessionId,
          requestId: call.requestId,
          payload: call.payload,
        });
        outcomes[index] = { $typeName: "toolbridge.v1.BatchOutcome", outcome: { case: "response", value: response } };
      } catch (err) {
        failed = true;
        outcomes[index] = failure(ConnectError.from(err), call.tool);
      }
    }
  }

  await Promise.all(Array.from({ length: parallel }, lane));
  return { $typeName: "toolbridge.v1.BatchExecuteToolsResponse", outcomes };
}

/** ABORTED: a batch call not started because an earlier one failed and stop_on_error is set. */
function batchAborted(tool: string): ConnectError {
  return toolError(Code.Aborted, "not run: an earlier call of the batch failed and stop_on_error is set", { tool });
}

function failure(error: ConnectError, tool: string): BatchOutcome {
  const info = errorInfoOf(error);
  if (info.tool === "") info.tool = tool;
  return { $typeName: "toolbridge.v1.BatchOutcome", outcome: { case: "error", value: info } };
}
