import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import type { StreamToolResponse } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients, type TransportKind, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

// Unary ExecuteTool has two paths: the runtime's fast path (the default) and connect's handlers; both must hold.
const paths: { path: string; env: Record<string, string>; fast: boolean }[] = [
  { path: "the fast path", env: {}, fast: true },
  { path: "connect's handlers", env: { TOOLBRIDGE_FAST_PATH: "0" }, fast: false },
];

// The protocol the runtime's debug line names for a unary call over `kind`.
function protocolOf(kind: TransportKind, fast: boolean): string {
  const name = kind.protocol === "connect" && !kind.binary && fast ? "connect-json" : kind.protocol;
  return fast ? `${name}/fast` : name;
}

async function collect(stream: AsyncIterable<StreamToolResponse>): Promise<StreamToolResponse["event"][]> {
  const events: StreamToolResponse["event"][] = [];
  for await (const response of stream) events.push(response.event);
  return events;
}

describe.each(paths)("the runtime with $path for unary calls", ({ env, fast }) => {
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--workers", "2", "--log-level", "debug"], env });
  });

  afterAll(async () => {
    expect(await runtime?.stop()).toEqual({ code: 0, signal: null });
  });

  describe.each(transportKinds)("the example tools through $name", (kind) => {
    let clients: RuntimeClients;
    beforeAll(() => {
      clients = connectTo(runtime, kind);
    });
    afterAll(() => clients.close());

    it("takes the expected path", async () => {
      const requestId = `path-${kind.name}`;
      await clients.tools.executeTool({ tool: "echo", args: {}, requestId });
      const line = await runtime.waitForStderr(new RegExp(`request=${requestId} `));
      expect(line).toMatch(new RegExp(`protocol=${protocolOf(kind, fast)}$`));
    });

    it("lists every example tool with its parameter schema", async () => {
      const { tools } = await clients.tools.listTools({});
      expect(tools.map((t) => t.name).sort()).toEqual(
        ["count", "describe_text", "echo", "echo_bytes", "fail", "reverse_text", "sleep", "tally", "word_count"].sort(),
      );
      const reverse = tools.find((t) => t.name === "reverse_text");
      expect(reverse?.language).toBe("python");
      expect(reverse?.description).toBe('Reverse a text; returns {"result": <the text reversed>}.');
      expect(reverse?.parameters).toEqual({
        type: "object",
        properties: { text: { type: "string" } },
        required: ["text"],
        additionalProperties: false,
      });
      expect(reverse?.result).toEqual({ type: "object", additionalProperties: { type: "string" } });
      expect(tools.find((t) => t.name === "count")?.streaming).toBe(true);
      expect(tools.find((t) => t.name === "echo_bytes")).toMatchObject({ payloadParameter: "data", returnsPayload: true });
    });

    it("echo returns its arguments, with timings, the request id and the runtime id", async () => {
      const args = { text: "hi", n: 2.5, nested: { list: [1, "two", null, true] } };
      const response = await clients.tools.executeTool({ tool: "echo", args, requestId: "req-echo" });
      expect(fromValue(response.result)).toEqual(args);
      expect(response.requestId).toBe("req-echo");
      expect(response.runtimeId).toBe(`rt-${(await import("node:os")).hostname()}-${runtime.port}`);
      expect(response.timings?.totalMs).toBeGreaterThan(0);
      expect(response.timings?.queueMs).toBeGreaterThanOrEqual(0);
      expect(response.timings?.runMs).toBeGreaterThanOrEqual(0);
    });

    it("generates a request id when the caller sets none", async () => {
      const response = await clients.tools.executeTool({ tool: "echo", args: {} });
      expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it("reverse_text and word_count", async () => {
      const reversed = await clients.tools.executeTool({ tool: "reverse_text", args: { text: "abc ✓" } });
      expect(fromValue(reversed.result)).toEqual({ result: "✓ cba" });
      const counted = await clients.tools.executeTool({ tool: "word_count", args: { text: " one two\tthree " } });
      expect(fromValue(counted.result)).toEqual({ words: 3 });
    });

    it("echo_bytes returns the payload as the response payload, without JSON", async () => {
      const payload = new Uint8Array(70_000).map((_, i) => i % 251);
      const response = await clients.tools.executeTool({ tool: "echo_bytes", payload });
      expect(response.payload).toEqual(payload);
      expect(response.result).toBeUndefined();
    });

    it("echo_bytes round-trips a 3 MiB payload (passed on in pieces both ways)", async () => {
      const payload = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 7) % 256);
      const response = await clients.tools.executeTool({ tool: "echo_bytes", payload });
      expect(response.payload.length).toBe(payload.length);
      expect(Buffer.compare(response.payload, payload)).toBe(0);
    });

    it("sleep waits and returns", async () => {
      const response = await clients.tools.executeTool({ tool: "sleep", args: { ms: 5 } });
      expect(fromValue(response.result)).toEqual({ slept_ms: 5 });
      expect(response.timings?.runMs).toBeGreaterThanOrEqual(4);
    });

    it("fail raises: INTERNAL with the Python type and traceback in the ErrorInfo", async () => {
      const error = await rejection(clients.tools.executeTool({ tool: "fail", args: { message: "boom" } }));
      expect(error.code).toBe(Code.Internal);
      expect(error.rawMessage).toBe("boom");
      const info = errorInfoOf(error);
      expect(info).toMatchObject({ code: "internal", type: "RuntimeError", tool: "fail" });
      expect(info.traceback).toMatch(/Traceback[\s\S]*raise RuntimeError\(message\)/);
    });

    it("count through ExecuteTool collects its items into a list", async () => {
      const response = await clients.tools.executeTool({ tool: "count", args: { n: 3 } });
      expect(fromValue(response.result)).toEqual([1, 2, 3]);
    });

    it("count through StreamTool streams chunks and progress, then the result last", async () => {
      const events = await collect(clients.tools.streamTool({ tool: "count", args: { n: 3 }, requestId: "s1" }));
      const chunks = events.filter((e) => e.case === "chunk").map((e) => [e.value.index, fromValue(e.value.data)]);
      expect(chunks).toEqual([
        [0, 1],
        [1, 2],
        [2, 3],
      ]);
      const progress = events.filter((e) => e.case === "progress").map((e) => e.value.fraction);
      expect(progress.at(-1)).toBe(1);
      const last = events.at(-1);
      expect(last?.case).toBe("result");
      expect(last?.case === "result" && last.value.requestId).toBe("s1");
      expect(events.filter((e) => e.case === "result")).toHaveLength(1);
    });

    it("a unary tool through StreamTool sends just its result", async () => {
      const events = await collect(clients.tools.streamTool({ tool: "reverse_text", args: { text: "ab" } }));
      expect(events).toHaveLength(1);
      expect(events[0].case === "result" && fromValue(events[0].value.result)).toEqual({ result: "ba" });
    });

    it("a streaming tool that fails ends the stream with its error and no result", async () => {
      const events: StreamToolResponse["event"][] = [];
      const error = await rejection(
        (async () => {
          for await (const r of clients.tools.streamTool({ tool: "count", args: { n: -1 } })) events.push(r.event);
        })(),
      );
      expect(error.code).toBe(Code.InvalidArgument);
      expect(errorInfoOf(error).field).toBe("/n");
      expect(events.filter((e) => e.case === "result")).toEqual([]);
    });
  });
});
