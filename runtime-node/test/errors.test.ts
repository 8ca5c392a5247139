import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import type { StreamToolResponse } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonDir, type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const testTools = join(pythonDir, "tests/fixtures/test_tools.py");
const maxMessageBytes = 64 * 1024;

const args = [
  ...["--module", "examples", "--module", testTools, "--workers", "1"],
  ...["--max-message-bytes", String(maxMessageBytes)],
];
let runtime: RuntimeProcess;
// The same runtime with unary calls served by connect's handlers instead of the fast path.
let viaConnect: RuntimeProcess;

beforeAll(async () => {
  [runtime, viaConnect] = await Promise.all([
    startRuntime({ args }),
    startRuntime({ args, env: { TOOLBRIDGE_FAST_PATH: "0" } }),
  ]);
});

afterAll(async () => {
  await Promise.all([runtime?.stop(), viaConnect?.stop()]);
});

const cases = transportKinds.flatMap((kind) => [
  { ...kind, path: "the fast path", target: () => runtime },
  { ...kind, path: "connect", target: () => viaConnect },
]);

describe.each(cases)("bad calls over $name through $path", (kind) => {
  let clients: RuntimeClients;
  beforeAll(() => {
    clients = connectTo(kind.target(), kind);
  });
  afterAll(() => clients.close());

  it("refuses an unknown tool with NOT_FOUND", async () => {
    const error = await rejection(clients.tools.executeTool({ tool: "no_such_tool", args: {} }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toBe('no tool named "no_such_tool" on this runtime; ListTools lists the tools it serves');
    expect(errorInfoOf(error)).toMatchObject({ field: "/tool", tool: "no_such_tool" });
  });

  it("refuses arguments that do not match the schema, naming the field, before a worker sees them", async () => {
    const missing = await rejection(clients.tools.executeTool({ tool: "reverse_text", args: {} }));
    expect(missing.code).toBe(Code.InvalidArgument);
    expect(missing.rawMessage).toContain('missing required argument "text"');
    expect(errorInfoOf(missing)).toMatchObject({ field: "/text", tool: "reverse_text", type: "InvalidArguments" });
    const wrongType = await rejection(clients.tools.executeTool({ tool: "sleep", args: { ms: "soon" } }));
    expect(errorInfoOf(wrongType).field).toBe("/ms");
    const streamed = await rejection(
      (async () => {
        for await (const _ of clients.tools.streamTool({ tool: "count", args: { n: 1.5 } })) {
          // no events expected
        }
      })(),
    );
    expect(errorInfoOf(streamed)).toMatchObject({ code: "invalid_argument", field: "/n" });
  });

  it("reports a Python exception as INTERNAL with its type, message and traceback", async () => {
    const error = await rejection(clients.tools.executeTool({ tool: "raise_custom", args: { message: "custom!" } }));
    expect(error.code).toBe(Code.Internal);
    const info = errorInfoOf(error);
    expect(info.message).toBe("custom!");
    expect(info.type).toMatch(/CustomError$/);
    expect(info.traceback).toMatch(/Traceback \(most recent call last\)[\s\S]*raise CustomError\(message\)/);
    expect(info.tool).toBe("raise_custom");
  });

  it("ends a stream that raised after some chunks with INTERNAL, its type and traceback, and no result", async () => {
    const events: StreamToolResponse["event"][] = [];
    const error = await rejection(
      (async () => {
        for await (const r of clients.tools.streamTool({ tool: "count_then_raise", args: { n: 2, message: "after two" } })) {
          events.push(r.event);
        }
      })(),
    );
    expect(events.map((e) => e.case)).toEqual(["chunk", "chunk"]);
    expect(events.map((e) => e.case === "chunk" && fromValue(e.value.data))).toEqual([1, 2]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toBe("after two");
    const info = errorInfoOf(error);
    expect(info).toMatchObject({ code: "internal", message: "after two", tool: "count_then_raise" });
    expect(info.type).toMatch(/CustomError$/);
    expect(info.traceback).toMatch(/Traceback \(most recent call last\)[\s\S]*raise CustomError\(message\)/);
  });

  it("passes on the code a tool chose", async () => {
    const error = await rejection(clients.tools.executeTool({ tool: "deny", args: { message: "not you" } }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toBe("not you");
  });

  it("refuses a request payload over the limit with RESOURCE_EXHAUSTED", async () => {
    const nearLimit = await rejection(
      clients.tools.executeTool({ tool: "echo_bytes", payload: new Uint8Array(maxMessageBytes + 1) }),
    );
    expect(nearLimit.code).toBe(Code.ResourceExhausted);
    expect(errorInfoOf(nearLimit).field).toBe("/payload");
    const farOver = await rejection(
      clients.tools.executeTool({ tool: "echo_bytes", payload: new Uint8Array(4 * maxMessageBytes) }),
    );
    expect(farOver.code).toBe(Code.ResourceExhausted);
    // The connection that carried the refused body carries the next call.
    const after = await clients.tools.executeTool({ tool: "echo", args: { after: 1 } });
    expect(fromValue(after.result)).toEqual({ after: 1 });
  });

  it("refuses an oversized batch with RESOURCE_EXHAUSTED and keeps the connection usable", async () => {
    const calls = [{ tool: "echo_bytes", payload: new Uint8Array(4 * maxMessageBytes) }];
    expect((await rejection(clients.tools.batchExecuteTools({ calls }))).code).toBe(Code.ResourceExhausted);
    const after = await clients.tools.executeTool({ tool: "echo", args: { after: 2 } });
    expect(fromValue(after.result)).toEqual({ after: 2 });
  });

  it("refuses a result over the limit with RESOURCE_EXHAUSTED, binary or JSON", async () => {
    const binary = await rejection(
      clients.tools.executeTool({ tool: "oversized_bytes", args: { size: maxMessageBytes + 1 } }),
    );
    expect(binary.code).toBe(Code.ResourceExhausted);
    const json = await rejection(clients.tools.executeTool({ tool: "oversized", args: { size: 2 * maxMessageBytes } }));
    expect(json.code).toBe(Code.ResourceExhausted);
  });

  it("round-trips a payload right at the limit", async () => {
    const payload = new Uint8Array(maxMessageBytes).fill(7);
    const response = await clients.tools.executeTool({ tool: "echo_bytes", payload });
    expect(response.payload).toEqual(payload);
  });

  it("keeps serving after all of that", async () => {
    const response = await clients.tools.executeTool({ tool: "echo", args: { still: "here" } });
    expect(fromValue(response.result)).toEqual({ still: "here" });
  });

  it("returns a JSON value and a payload together", async () => {
    const response = await clients.tools.executeTool({ tool: "value_and_payload", args: { text: "héllo" } });
    expect(fromValue(response.result)).toEqual({ length: 5 });
    expect(new TextDecoder().decode(response.payload)).toBe("héllo");
  });

  it("streams binary chunks as payloads", async () => {
    const chunks: string[] = [];
    for await (const r of clients.tools.streamTool({ tool: "byte_chunks", args: { n: 3 } })) {
      if (r.event.case === "chunk") {
        expect(r.event.value.data).toBeUndefined();
        chunks.push(new TextDecoder().decode(r.event.value.payload));
      }
    }
    expect(chunks).toEqual(["0", "1", "2"]);
  });
});

describe("BatchExecuteTools", () => {
  let clients: RuntimeClients;
  beforeAll(() => {
    clients = connectTo(runtime, transportKinds[0]);
  });
  afterAll(() => clients.close());

  const outcomes = async (calls: { tool: string; args?: object }[], options: object = {}) =>
    (await clients.tools.batchExecuteTools({ calls: calls as never, ...options })).outcomes.map((o) =>
      o.outcome.case === "response"
        ? { ok: fromValue(o.outcome.value.result) }
        : { error: o.outcome.case === "error" ? o.outcome.value.code : "?", tool: o.outcome.value?.tool },
    );

  it("returns one outcome per call in input order, failures as ErrorInfo", async () => {
    const result = await outcomes(
      [
        { tool: "reverse_text", args: { text: "ab" } },
        { tool: "fail", args: { message: "no" } },
        { tool: "nope" },
        { tool: "word_count", args: { text: "a b" } },
        { tool: "reverse_text", args: {} },
      ],
      { maxParallel: 3 },
    );
    expect(result).toEqual([
      { ok: { result: "ba" } },
      { error: "internal", tool: "fail" },
      { error: "not_found", tool: "nope" },
      { ok: { words: 2 } },
      { error: "invalid_argument", tool: "reverse_text" },
    ]);
  });

  it("runs calls in parallel up to max_parallel", async () => {
    // hold only returns once release ran: the batch finishes only if both ran at once.
    const result = await outcomes(
      [
        { tool: "hold", args: { key: "batch-parallel" } },
        { tool: "release", args: { key: "batch-parallel" } },
      ],
      { maxParallel: 2 },
    );
    expect(result).toEqual([{ ok: "batch-parallel" }, { ok: "batch-parallel" }]);
  });

  it("stops starting calls after a failure with stop_on_error, reporting the rest ABORTED", async () => {
    const result = await outcomes(
      [
        { tool: "echo", args: { i: 1 } },
        { tool: "fail", args: { message: "stop here" } },
        { tool: "echo", args: { i: 3 } },
      ],
      { maxParallel: 1, stopOnError: true },
    );
    expect(result).toEqual([{ ok: { i: 1 } }, { error: "internal", tool: "fail" }, { error: "aborted", tool: "echo" }]);
  });

  it("echoes each call's request id", async () => {
    const response = await clients.tools.batchExecuteTools({
      calls: [{ tool: "echo", requestId: "b-1" }, { tool: "echo" }],
    });
    const ids = response.outcomes.map((o) => (o.outcome.case === "response" ? o.outcome.value.requestId : ""));
    expect(ids[0]).toBe("b-1");
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("refuses a batch of more than 1000 calls", async () => {
    const calls = Array.from({ length: 1001 }, () => ({ tool: "echo" }));
    const error = await rejection(clients.tools.batchExecuteTools({ calls }));
    expect(error.code).toBe(Code.InvalidArgument);
  });
});
