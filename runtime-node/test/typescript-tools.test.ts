// TypeScript tools loaded with --ts-module behave like Python tools: listing, validation, results, streaming,
// progress, errors with the JS error's name and stack, limits, deadlines and cancellation through ctx.signal.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import type { StreamToolResponse } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runFailingRuntime, type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const tsTools = fileURLToPath(new URL("./fixtures/ts-tools.mjs", import.meta.url));
const examples = fileURLToPath(new URL("../dist/examples/typescript-tools.js", import.meta.url));

async function events(stream: AsyncIterable<StreamToolResponse>): Promise<StreamToolResponse["event"][]> {
  const out: StreamToolResponse["event"][] = [];
  for await (const response of stream) out.push(response.event);
  return out;
}

describe("TypeScript tools", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    runtime = await startRuntime({
      args: ["--ts-module", tsTools, "--ts-module", examples, "--workers", "1", "--max-message-bytes", "65536"],
    });
    clients = connectTo(runtime);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  const call = async (tool: string, args: Record<string, unknown> = {}, payload?: Uint8Array) =>
    clients.tools.executeTool({ tool, args: args as never, payload }, { timeoutMs: 10_000 });

  it("are listed next to the Python tools, in TypeScript, with their schemas", async () => {
    expect(runtime.tools).toEqual(expect.arrayContaining(["echo", "ts_add", "slugify", "text_report"]));
    const { tools } = await clients.tools.listTools({});
    const add = tools.find((t) => t.name === "ts_add");
    expect(add).toMatchObject({ language: "typescript", streaming: false, parameters: { required: ["a", "b"] } });
    expect(tools.find((t) => t.name === "ts_count")).toMatchObject({ language: "typescript", streaming: true });
    expect(tools.find((t) => t.name === "echo")?.language).toBe("python");
  });

  it("run unary with their arguments and report the runtime's id", async () => {
    const response = await call("ts_add", { a: 2, b: 3 });
    expect(fromValue(response.result)).toBe(5);
    expect(response.runtimeId).toBe(`rt-${(await import("node:os")).hostname()}-${runtime.port}`);
    expect(fromValue((await call("slugify", { text: "Héllo, Wörld!" })).result)).toEqual({ slug: "hello-world" });
  });

  it.each(transportKinds.map((k) => [k.name, k] as const))("answer over %s", async (_name, kind) => {
    const c = connectTo(runtime, kind);
    try {
      expect(fromValue((await c.tools.executeTool({ tool: "ts_add", args: { a: 1, b: 1 } })).result)).toBe(2);
    } finally {
      c.close();
    }
  });

  it("refuse arguments that do not match the schema with INVALID_ARGUMENT naming the field", async () => {
    const error = await rejection(call("ts_add", { a: "one", b: 2 }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(error)).toMatchObject({ field: "/a", tool: "ts_add" });
  });

  it("return bytes, and a value with bytes, as the response payload", async () => {
    const both = await call("ts_echo_bytes", {}, new TextEncoder().encode("hello"));
    expect(fromValue(both.result)).toEqual({ length: 5 });
    expect(new TextDecoder().decode(both.payload)).toBe("hello");
    const only = await call("ts_bytes_only", {}, new Uint8Array([1, 2, 3]));
    expect(only.result).toBeUndefined();
    expect([...only.payload]).toEqual([3, 2, 1]);
  });

  it("stream chunks and progress, then the generator's return value", async () => {
    const seen = await events(clients.tools.streamTool({ tool: "ts_count", args: { n: 2 } }));
    expect(seen.map((e) => e.case)).toEqual(["chunk", "progress", "chunk", "progress", "result"]);
    expect(seen[0].case === "chunk" && fromValue(seen[0].value.data)).toBe(1);
    expect(seen[1].case === "progress" && seen[1].value).toMatchObject({ fraction: 0.5, message: "1 of 2" });
    expect(seen[4].case === "result" && fromValue(seen[4].value.result)).toBe("done");
    const bytes = await events(clients.tools.streamTool({ tool: "ts_byte_chunks", args: { n: 2 } }));
    expect(bytes.filter((e) => e.case === "chunk").map((e) => e.case === "chunk" && new TextDecoder().decode(e.value.payload))).toEqual(["0", "1"]);
  });

  it("called unary, collect a stream's items into a list, or join its bytes", async () => {
    expect(fromValue((await call("ts_count", { n: 3 })).result)).toEqual([1, 2, 3]);
    const joined = await call("ts_byte_chunks", { n: 3 });
    expect(new TextDecoder().decode(joined.payload)).toBe("012");
    const mixed = await rejection(call("ts_mixed"));
    expect(mixed.code).toBe(Code.Internal);
    expect(mixed.rawMessage).toMatch(/yielded both bytes and JSON values/);
  });

  it("report a thrown error as INTERNAL with the JS error's name and stack", async () => {
    const error = await rejection(call("ts_fail", { message: "it broke" }));
    expect([error.code, error.rawMessage]).toEqual([Code.Internal, "it broke"]);
    const info = errorInfoOf(error);
    expect(info).toMatchObject({ type: "TypeError", tool: "ts_fail" });
    expect(info.traceback).toMatch(/^TypeError: it broke\n\s+at .*ts-tools\.mjs/);
  });

  it("keep the code of a ConnectError they throw", async () => {
    const error = await rejection(call("ts_deny"));
    expect([error.code, error.rawMessage]).toEqual([Code.PermissionDenied, "not for you"]);
    expect(errorInfoOf(error).tool).toBe("ts_deny");
  });

  it("refuse a result that is not JSON, saying where", async () => {
    const error = await rejection(call("ts_not_json"));
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/the value at \/when is a Date instance, not JSON/);
  });

  it("refuse a result over the message limit with RESOURCE_EXHAUSTED, and keep serving", async () => {
    const error = await rejection(call("ts_big", { size: 100_000 }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/65536-byte message limit/);
    expect(fromValue((await call("ts_big", { size: 10 })).result)).toBe("xxxxxxxxxx");
  });

  it("see their session, request id and time left in the context", async () => {
    const response = await clients.tools.executeTool({ tool: "ts_context", args: {}, sessionId: "s-ts", requestId: "r-ts" });
    expect(fromValue(response.result)).toEqual({ session_id: "s-ts", request_id: "r-ts", time_left_positive: true, aborted: false });
  });

  it("end at their deadline with DEADLINE_EXCEEDED, even when they ignore the signal", async () => {
    const error = await rejection(clients.tools.executeTool({ tool: "ts_ignore_abort", args: { ms: 5000 } }, { timeoutMs: 200 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    const seen = runtime.countStderr(/ts_wait_for_abort aborted/);
    const waited = await rejection(clients.tools.executeTool({ tool: "ts_wait_for_abort", args: {} }, { timeoutMs: 200 }));
    expect(waited.code).toBe(Code.DeadlineExceeded);
    // Its signal aborted: DEADLINE_EXCEEDED from the runtime's timer, or CANCELED when the client gave up first.
    expect(await runtime.waitForStderr(/ts_wait_for_abort aborted/, 10_000, seen + 1)).toMatch(/aborted: [14] /);
  });

  it("see ctx.signal abort with DEADLINE_EXCEEDED at the runtime's cap on their time", async () => {
    const capped = await startRuntime({ args: ["--ts-module", tsTools, "--workers", "1", "--max-timeout-ms", "200"] });
    const c = connectTo(capped);
    try {
      const error = await rejection(c.tools.executeTool({ tool: "ts_wait_for_abort", args: {} }));
      expect(error.code).toBe(Code.DeadlineExceeded);
      expect(error.rawMessage).toBe('tool "ts_wait_for_abort" did not finish within its deadline of 200 ms');
      expect(await capped.waitForStderr(/ts_wait_for_abort aborted/)).toMatch(/aborted: 4 /);
    } finally {
      c.close();
      await capped.stop();
    }
  });

  it("see ctx.signal abort with CANCELED when the client cancels", async () => {
    const seen = runtime.countStderr(/ts_wait_for_abort aborted/);
    const started = runtime.countStderr(/ts_wait_for_abort started/);
    const controller = new AbortController();
    const pending = rejection(clients.tools.executeTool({ tool: "ts_wait_for_abort", args: {} }, { signal: controller.signal }));
    await runtime.waitForStderr(/ts_wait_for_abort started/, 10_000, started + 1);
    controller.abort();
    expect((await pending).code).toBe(Code.Canceled);
    expect(await runtime.waitForStderr(/ts_wait_for_abort aborted/, 10_000, seen + 1)).toMatch(/aborted: 1 /);
  });

  it("run in a batch next to Python tools, each outcome in order", async () => {
    const { outcomes } = await clients.tools.batchExecuteTools({
      calls: [
        { tool: "ts_add", args: { a: 1, b: 2 } },
        { tool: "reverse_text", args: { text: "ab" } },
        { tool: "ts_fail", args: { message: "no" } },
      ],
    });
    expect(outcomes.map((o) => o.outcome.case)).toEqual(["response", "response", "error"]);
    expect(outcomes[0].outcome.case === "response" && fromValue(outcomes[0].outcome.value.result)).toBe(3);
    expect(outcomes[2].outcome.case === "error" && outcomes[2].outcome.value).toMatchObject({ code: "internal", type: "TypeError" });
  });
});

describe("--ts-module start-up failures", () => {
  const dir = mkdtempSync(join(tmpdir(), "toolbridge-ts-"));
  const module = (name: string, source: string) => {
    const file = join(dir, name);
    writeFileSync(file, source);
    return file;
  };

  it.each([
    ["a file that does not exist", join(dir, "missing.mjs"), /cannot load TypeScript module .*missing\.mjs: /],
    ["a module that throws on import", module("throws.mjs", "throw new Error('no import for you');"), /cannot load TypeScript module .*throws\.mjs: no import for you/],
    ["a module without a tools array", module("no-tools.mjs", "export const tool = {};"), /does not export "tools", an array of tool definitions/],
    [
      "an ill-defined tool",
      module("bad.mjs", "export const tools = [{ name: 'bad name', description: '', parameters: {}, run() {} }];"),
      /TypeScript module .*bad\.mjs: tool 'bad name' is ill-defined: its name must be/,
    ],
    [
      "a tool named like a Python tool",
      module("dup.mjs", "export const tools = [{ name: 'echo', description: '', parameters: {}, run() {} }];"),
      /two tools are named "echo"/,
    ],
    [
      "parameters that do not describe an object",
      module("schema.mjs", "export const tools = [{ name: 'odd', description: '', parameters: { type: 'string' }, run() {} }];"),
      /tool "odd" is ill-defined: its parameters must describe an object/,
    ],
  ])("prints one clear line and exits 1 for %s", async (_what, file, message) => {
    const result = await runFailingRuntime({ args: ["--ts-module", file, "--workers", "1"] });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^toolbridge runtime: /);
    expect(lines.at(-1)).toMatch(message);
  });
});
