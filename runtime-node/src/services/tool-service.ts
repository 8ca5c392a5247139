import type { JsonValue } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { type BatchLimits, runBatch, toValue } from "@toolbridge/proto";
import { type StreamToolResponse, ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { Caller } from "../auth/call-grant.js";
import { cancelFromSignal, createCallCancel } from "../call-cancel.js";
import { abortError } from "../pool/worker-errors.js";
import type { ToolCatalog } from "../tools/catalog.js";
import { clientLeft, streamBacklog } from "./call-errors.js";
import { createEventQueue } from "./event-queue.js";
import { type CallScope, type ToolRunner, whole } from "./tool-runner.js";

/** Options of createToolService. */
export interface ToolServiceOptions {
  /** Runs the calls. */
  runner: ToolRunner;
  /** Lists the tools. */
  catalog: ToolCatalog;
  /** Limits of BatchExecuteTools. */
  batch: BatchLimits;
  /** Events a stream may hold for a client that reads slowly; past it, the call stops RESOURCE_EXHAUSTED. */
  maxStreamBacklog: number;
  /** Who is calling, from the request (set by auth): decides what each call may do. */
  callerOf?: (context: HandlerContext) => Caller | undefined;
}

const emptyBytes = new Uint8Array(0);

/** toolbridge.v1.ToolService over a runner: the RPCs only translate between messages and calls. */
export function createToolService(options: ToolServiceOptions): ServiceImpl<typeof ToolService> {
  const { runner, catalog, batch, maxStreamBacklog, callerOf } = options;
  const scopeOf = (context: HandlerContext): CallScope => ({
    cancel: cancelFromSignal(context.signal, abortError),
    timeoutMs: context.timeoutMs(),
    caller: callerOf?.(context),
    protocol: context.protocolName,
  });

  return {
    listTools(_request, context) {
      // A session token's bearer sees the tools its allowlist names; everyone else sees them all.
      const caller = callerOf?.(context);
      const allowed = caller?.kind === "session" ? caller.context.tools : "*";
      const tools = catalog.list();
      return { tools: allowed === "*" ? tools : tools.filter((t) => allowed.includes(t.name)) };
    },

    async executeTool(request, context) {
      return whole(await runner.run(request, scopeOf(context)));
    },

    async *streamTool(request, context) {
      // The stream stops on the client's cancel, and also when the client reads too slowly or leaves early.
      const stop = createCallCancel();
      const scope = scopeOf(context);
      scope.cancel.subscribe(stop.cancel);
      scope.cancel = stop.token;
      const events = createEventQueue<StreamToolResponse>(maxStreamBacklog);
      const overflow = () => stop.cancel(streamBacklog(request.tool, maxStreamBacklog));
      let index = 0;
      const sink = {
        chunk(value: JsonValue, payload: Uint8Array | undefined) {
          const chunk = {
            $typeName: "toolbridge.v1.ToolChunk" as const,
            index: index++,
            data: payload === undefined ? toValue(value) : undefined,
            payload: payload ?? emptyBytes,
          };
          if (!events.push({ $typeName: "toolbridge.v1.StreamToolResponse", event: { case: "chunk", value: chunk } })) {
            overflow();
          }
        },
        progress(fraction: number, message: string) {
          const progress = { $typeName: "toolbridge.v1.ToolProgress" as const, fraction, message };
          const event = { case: "progress" as const, value: progress };
          if (!events.push({ $typeName: "toolbridge.v1.StreamToolResponse", event })) overflow();
        },
      };
      runner.run(request, scope, sink).then(
        (result) => {
          const value = whole(result);
          events.push({ $typeName: "toolbridge.v1.StreamToolResponse", event: { case: "result", value } }, true);
          events.end();
        },
        (error) => events.fail(error),
      );
      try {
        yield* events;
      } finally {
        // The client left early or the stream failed: stop the tool too (a no-op once it has ended).
        stop.cancel(clientLeft());
      }
    },

    batchExecuteTools(request, context) {
      const scope = scopeOf(context);
      return runBatch(request, batch, async (call) => whole(await runner.run(call, scope)));
    },
  };
}
