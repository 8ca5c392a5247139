import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  BatchExecuteToolsRequestSchema,
  type ExecuteToolResponse,
  ExecuteToolResponseSchema,
} from "../gen/toolbridge/v1/tool_pb.js";
import { type BatchCall, runBatch } from "./batch.js";
import { toolError } from "./error-info.js";

const limits = { maxCalls: 5, defaultParallel: 2, maxParallel: 3 };

function batch(tools: string[], fields: { maxParallel?: number; stopOnError?: boolean; sessionId?: string } = {}) {
  return create(BatchExecuteToolsRequestSchema, {
    ...fields,
    calls: tools.map((tool, i) => ({ tool, args: { i }, requestId: `r${i}` })),
  });
}

function answer(call: BatchCall): ExecuteToolResponse {
  return create(ExecuteToolResponseSchema, { requestId: call.requestId, runtimeId: call.sessionId });
}

describe("runBatch", () => {
  it("gives one outcome per call in input order, whatever order they finish in", async () => {
    const seen: BatchCall[] = [];
    let lastDone: () => void = () => {};
    const last = new Promise<void>((resolve) => (lastDone = resolve));
    const response = await runBatch(batch(["a", "b", "c"], { sessionId: "s1" }), limits, async (call) => {
      seen.push(call);
      // The first call finishes after the last one.
      if (call.tool === "a") await last;
      if (call.tool === "c") lastDone();
      return answer(call);
    });
    expect(response.outcomes.map((o) => o.outcome.case === "response" && o.outcome.value.requestId)).toEqual(["r0", "r1", "r2"]);
    expect(seen.map((c) => [c.tool, c.args, c.sessionId])).toContainEqual(["b", { i: 1 }, "s1"]);
  });

  it("runs at most max_parallel calls at once, bounded by the limit, and the default for 0", async () => {
    const peakOf = async (maxParallel: number) => {
      let running = 0;
      let peak = 0;
      await runBatch(batch(["a", "b", "c", "d", "e"], { maxParallel }), limits, async (call) => {
        peak = Math.max(peak, ++running);
        await Promise.resolve();
        running--;
        return answer(call);
      });
      return peak;
    };
    expect([await peakOf(1), await peakOf(0), await peakOf(100)]).toEqual([1, 2, 3]);
  });

  it("fails only the failing call, as its ErrorInfo naming the tool", async () => {
    const response = await runBatch(batch(["ok", "bad", "worse"]), limits, async (call) => {
      if (call.tool === "bad") throw new ConnectError("no such thing", Code.NotFound);
      if (call.tool === "worse") throw toolError(Code.Internal, "boom", { type: "ValueError", tool: "inner" });
      return answer(call);
    });
    const [first, second, third] = response.outcomes.map((o) => o.outcome);
    expect(first.case).toBe("response");
    expect(second).toMatchObject({ case: "error", value: { code: "not_found", message: "no such thing", tool: "bad" } });
    expect(third).toMatchObject({ case: "error", value: { code: "internal", type: "ValueError", tool: "inner" } });
  });

  it("with stop_on_error, answers the calls not yet started after a failure ABORTED", async () => {
    const ran: string[] = [];
    const response = await runBatch(batch(["a", "fail", "b", "c"], { maxParallel: 1, stopOnError: true }), limits, async (call) => {
      ran.push(call.tool);
      if (call.tool === "fail") throw new ConnectError("failed", Code.Internal);
      return answer(call);
    });
    expect(ran).toEqual(["a", "fail"]);
    expect(response.outcomes.slice(2).map((o) => o.outcome)).toMatchObject([
      { case: "error", value: { code: "aborted", tool: "b", message: "not run: an earlier call of the batch failed and stop_on_error is set" } },
      { case: "error", value: { code: "aborted", tool: "c" } },
    ]);
  });

  it("refuses a batch of more calls than allowed, INVALID_ARGUMENT, before running any", async () => {
    let ran = 0;
    const refused = await runBatch(batch(["a", "b", "c", "d", "e", "f"]), limits, async (call) => {
      ran++;
      return answer(call);
    }).catch((err: unknown) => ConnectError.from(err));
    expect(refused).toBeInstanceOf(ConnectError);
    expect([(refused as ConnectError).code, (refused as ConnectError).rawMessage, ran]).toEqual([
      Code.InvalidArgument,
      "the batch has 6 calls; at most 5 are allowed",
      0,
    ]);
  });
});
