// The echo implementation every baseline server shares: ExecuteTool returns args as result, payload as payload.
import { create } from "@bufbuild/protobuf";
import { ExecuteToolResponseSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { toValue } from "@toolbridge/proto";

/** ExecuteTool as an echo, with no Python behind it. */
export function executeToolEcho(request) {
  return create(ExecuteToolResponseSchema, {
    result: toValue(request.args ?? {}),
    payload: request.payload,
    requestId: request.requestId,
  });
}

/** The largest message a baseline accepts, as the runtime is started for the bench (12 MiB). */
export const BASELINE_MAX_MESSAGE_BYTES = Number(process.env.BENCH_MAX_MESSAGE_BYTES ?? 12 * 1024 * 1024);

/**
 * connectNodeAdapter options the runtime uses too (runtime-node/src/runtime.ts): size limits, and responses are
 * never compressed (a connect-node client accepts gzip, and gzipping 10 MiB would dominate the round trip).
 */
export const ADAPTER_OPTIONS = {
  readMaxBytes: BASELINE_MAX_MESSAGE_BYTES + 64 * 1024,
  writeMaxBytes: BASELINE_MAX_MESSAGE_BYTES + 64 * 1024,
  compressMinBytes: Number.MAX_SAFE_INTEGER,
};
