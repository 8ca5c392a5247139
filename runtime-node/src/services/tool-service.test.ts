import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createHandlerContext } from "@connectrpc/connect";
import { fromValue, toValue } from "@toolbridge/proto";
import {
  BatchExecuteToolsRequestSchema,
  type BatchExecuteToolsResponse,
  ExecuteToolResponseSchema,
  type StreamToolResponse,
  StreamToolRequestSchema,
  ToolService,
} from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { describe, expect, it } from "vitest";
import type { CallCancel } from "../call-cancel.js";
import type { ToolCatalog } from "../tools/catalog.js";
import type { ToolSink } from "../tools/tool.js";
import type { CallScope, ToolRequest, ToolRunner } from "./tool-runner.js";
import { createToolService } from "./tool-service.js";

// A runner in memory: `behave` decides what each call does.
function fakeRunner(behave: (request: ToolRequest, scope: CallScope, sink?: ToolSink) => Promise<unknown>): ToolRunner {
  return {
    run: async (request, scope, sink) => ({
      response: create(ExecuteToolResponseSchema, {
        result: toValue((await behave(request, scope, sink)) as never),
        requestId: request.requestId,
      }),
    }),
    invoke: () => Promise.reject(new Error("not used by the service")),
    inFlight: () => 0,
    drain: () => Promise.resolve(),
  };
}

const catalog: ToolCatalog = { get: () => undefined, list: () => [] };

function service(runner: ToolRunner, maxStreamBacklog = 100) {
  return createToolService({
    runner,
    catalog,
    batch: { maxCalls: 10, defaultParallel: 2, maxParallel: 4 },
    maxStreamBacklog,
  });
}

function context(method: "streamTool" | "batchExecuteTools") {
  return createHandlerContext({
    service: ToolService,
    method: ToolService.method[method],
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://localhost/",
  });
}

async function events(stream: AsyncIterable<StreamToolResponse>): Promise<StreamToolResponse["event"][]> {
  const out: StreamToolResponse["event"][] = [];
  for await (const r of stream) out.push(r.event);
  return out;
}

describe("StreamTool", () => {
  it("sends chunks and progress in order, then the result last", async () => {
    const svc = service(
      fakeRunner(async (_r, _s, sink) => {
        sink?.chunk(1, undefined);
        sink?.progress(0.5, "half");
        sink?.chunk(null, new Uint8Array([7]));
        return "done";
      }),
    );
    const stream = svc.streamTool(create(StreamToolRequestSchema, { tool: "t" }), context("streamTool"));
    const got = await events(stream as AsyncIterable<StreamToolResponse>);
    expect(got.map((e) => e.case)).toEqual(["chunk", "progress", "chunk", "result"]);
    expect(got[0].case === "chunk" && [got[0].value.index, fromValue(got[0].value.data)]).toEqual([0, 1]);
    expect(got[2].case === "chunk" && [got[2].value.index, got[2].value.payload]).toEqual([1, new Uint8Array([7])]);
    expect(got[3].case === "result" && fromValue(got[3].value.result)).toBe("done");
  });

  it("stops a tool whose client falls behind, with RESOURCE_EXHAUSTED", async () => {
    let cancel: CallCancel | undefined;
    const svc = service(
      fakeRunner(async (_r, scope, sink) => {
        cancel = scope.cancel;
        for (let i = 0; i < 1000 && cancel.reason === undefined; i++) sink?.chunk(i, undefined);
        throw cancel.reason;
      }),
      100,
    );
    const stream = svc.streamTool(create(StreamToolRequestSchema, { tool: "flood" }), context("streamTool"));
    let error: unknown;
    try {
      await events(stream as AsyncIterable<StreamToolResponse>);
    } catch (e) {
      error = e;
    }
    expect(ConnectError.from(error).code).toBe(Code.ResourceExhausted);
    expect(cancel?.reason?.code).toBe(Code.ResourceExhausted);
  });

  it("stops the tool when the client leaves early", async () => {
    let cancel: CallCancel | undefined;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const svc = service(
      fakeRunner(async (_r, scope, sink) => {
        cancel = scope.cancel;
        sink?.chunk(1, undefined);
        await held;
        return null;
      }),
    );
    const stream = svc.streamTool(create(StreamToolRequestSchema, { tool: "t" }), context("streamTool"));
    for await (const _ of stream as AsyncIterable<StreamToolResponse>) break;
    expect(cancel?.reason?.code).toBe(Code.Canceled);
    release();
  });
});

describe("BatchExecuteTools", () => {
  it("never runs more calls at once than max_parallel allows", async () => {
    let running = 0;
    let most = 0;
    const svc = service(
      fakeRunner(async (request) => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => setImmediate(resolve));
        running--;
        return request.tool;
      }),
    );
    const calls = Array.from({ length: 9 }, (_, i) => ({ tool: `t${i}` }));
    for (const [maxParallel, expected] of [
      [3, 3],
      [0, 2],
      [100, 4],
    ]) {
      most = 0;
      const request = create(BatchExecuteToolsRequestSchema, { calls, maxParallel });
      const response = (await svc.batchExecuteTools(request, context("batchExecuteTools"))) as BatchExecuteToolsResponse;
      expect(most).toBe(expected);
      expect(response.outcomes.map((o) => o.outcome.case === "response" && fromValue(o.outcome.value.result))).toEqual(
        calls.map((c) => c.tool),
      );
    }
  });

  it("refuses more calls than allowed", async () => {
    const svc = service(fakeRunner(async () => null));
    const request = create(BatchExecuteToolsRequestSchema, { calls: Array.from({ length: 11 }, () => ({ tool: "t" })) });
    await expect(svc.batchExecuteTools(request, context("batchExecuteTools"))).rejects.toMatchObject({
      code: Code.InvalidArgument,
    });
  });

  it("fills in the tool of a failed call's ErrorInfo", async () => {
    const svc = service(
      fakeRunner(async () => {
        throw new ConnectError("down", Code.Unavailable);
      }),
    );
    const request = create(BatchExecuteToolsRequestSchema, { calls: [{ tool: "t" }] });
    const response = (await svc.batchExecuteTools(request, context("batchExecuteTools"))) as BatchExecuteToolsResponse;
    const outcome = response.outcomes[0]?.outcome;
    expect(outcome?.case === "error" && outcome.value).toMatchObject({ code: "unavailable", tool: "t", message: "down" });
  });
});
