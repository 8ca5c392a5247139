import { fromJson } from "@bufbuild/protobuf";
import { ToolInfoSchema } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { WorkerToolInfo } from "../pool/worker-interface.js";
import type { WorkerPool } from "../pool/worker-pool.js";
import type { RunningCall } from "../bridge/running-call.js";
import type { Tool } from "./tool.js";

/** The tools a Python worker described in `ready`, each run on the pool. */
export function createPythonTools(infos: WorkerToolInfo[], pool: WorkerPool): Tool[] {
  return infos.map((json) => {
    const info = fromJson(ToolInfoSchema, json, { ignoreUnknownFields: true });
    if (info.language === "") info.language = "python";
    const tool = info.name;
    return {
      info,
      invoke(invocation, sink) {
        const { grant, cancel, requestId, timeoutMs } = invocation;
        const context: RunningCall = { grant, cancel, requestId, deadline: performance.now() + timeoutMs };
        return pool.call(
          {
            tool,
            args: invocation.args,
            payload: invocation.payload,
            session: invocation.sessionId,
            request: invocation.requestId,
            timeoutMs: invocation.timeoutMs,
            stream: invocation.stream,
            context,
            nested: grant.nested,
          },
          sink,
          cancel,
        );
      },
    };
  });
}
