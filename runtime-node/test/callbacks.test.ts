// Python tools calling back into a runtime that has no gateway (or one it cannot use for the call): the runtime's
// own TypeScript tools answer in-process, with the cycle, depth and schema rules; everything that needs the
// gateway fails with a code and a message that says why.
import { fileURLToPath } from "node:url";
import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonDir, type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const bridgeTools = `${pythonDir}/tests/fixtures/bridge_tools.py`;
const tsTools = fileURLToPath(new URL("./fixtures/ts-tools.mjs", import.meta.url));

describe("callbacks of Python tools served by the runtime itself", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    runtime = await startRuntime({
      args: ["--module", bridgeTools, "--ts-module", tsTools, "--workers", "1", "--max-call-depth", "4"],
    });
    clients = connectTo(runtime);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  const call = async (tool: string, args: Record<string, unknown>, payload?: Uint8Array) =>
    fromValue((await clients.tools.executeTool({ tool, args: args as never, payload }, { timeoutMs: 10_000 })).result);

  it("runs a TypeScript tool of the runtime in-process for call_tool", async () => {
    expect(await call("py_call", { tool: "ts_add", args: { a: 2, b: 40 } })).toBe(42);
  });

  it("passes a payload to the TypeScript tool and returns its value and bytes together", async () => {
    const out = await call("py_call_bytes", { tool: "ts_echo_bytes" }, new TextEncoder().encode("abc"));
    expect(out).toEqual({ value: { length: 3 }, bytes: "abc" });
  });

  it("returns a bytes-only result as bytes", async () => {
    expect(await call("py_call_bytes", { tool: "ts_bytes_only" }, new TextEncoder().encode("abc"))).toEqual({ value: null, bytes: "cba" });
  });

  it("streams JSON and binary chunks to stream_tool", async () => {
    expect(await call("py_stream", { tool: "ts_count", args: { n: 3 } })).toEqual([1, 2, 3]);
    expect(await call("py_stream", { tool: "ts_byte_chunks", args: { n: 2 } })).toEqual([{ bytes: "0" }, { bytes: "1" }]);
  });

  it("answers a Python tool that stops reading a stream early", async () => {
    expect(await call("py_first_of_stream", { tool: "ts_count", args: { n: 1000, delay_ms: 5 } })).toBe(1);
  });

  it("checks a nested call's arguments against the TypeScript tool's schema", async () => {
    const out = (await call("py_error_of", { tool: "ts_add", args: { a: "two", b: 1 } })) as Record<string, string>;
    expect(out).toMatchObject({ error: "InvalidArguments", code: "invalid_argument" });
    expect(out.message).toContain("/a");
  });

  it("lets a TypeScript tool's ctx.callTool and ctx.streamTool reach other TypeScript tools", async () => {
    expect(await call("ts_call", { tool: "ts_add", args: { a: 1, b: 2 } })).toBe(3);
    expect(await call("ts_stream_call", { tool: "ts_count", args: { n: 3 } })).toEqual([1, 2, 3]);
    expect(await call("ts_stream_call", { tool: "ts_count", args: { n: 1000, delay_ms: 5 }, first_only: true })).toEqual([1]);
  });

  it("follows a chain of nested calls and reports its path", async () => {
    expect(await call("py_hop", { next: ["ts_hop", "ts_hop2"], text: "x" })).toEqual({ path: ["py_hop", "ts_hop", "ts_hop2"], text: "x" });
  });

  it("ends a call cycle with FAILED_PRECONDITION that names the cycle", async () => {
    const error = await rejection(clients.tools.executeTool({ tool: "py_hop", args: { next: ["ts_hop", "ts_hop2", "ts_hop"] } }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe("call cycle: py_hop -> ts_hop -> ts_hop2 -> ts_hop");
    const self = await rejection(clients.tools.executeTool({ tool: "ts_self", args: {} }));
    expect([self.code, self.rawMessage]).toEqual([Code.FailedPrecondition, "call cycle: ts_self -> ts_self"]);
  });

  it("refuses a chain deeper than --max-call-depth with RESOURCE_EXHAUSTED", async () => {
    const error = await rejection(
      clients.tools.executeTool({ tool: "py_hop", args: { next: ["ts_hop", "ts_hop2", "ts_hop3", "ts_add"] } }),
    );
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toBe("nested calls deeper than 4: py_hop -> ts_hop -> ts_hop2 -> ts_hop3 -> ts_add");
  });

  it("fails a callback that needs the gateway UNAVAILABLE, saying that none is configured", async () => {
    for (const [tool, args] of [
      ["py_read_var", { name: "x" }],
      ["py_call", { tool: "py_leaf" }],
    ] as const) {
      const error = await rejection(clients.tools.executeTool({ tool, args, sessionId: "s1" }));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toMatch(/needs the gateway, and this runtime has none configured \(start it with --gateway-url/);
    }
  });

  it("fails a variable callback of a call without a session FAILED_PRECONDITION", async () => {
    const error = await rejection(clients.tools.executeTool({ tool: "py_read_var", args: { name: "x" } }));
    expect([error.code, error.rawMessage]).toEqual([
      Code.FailedPrecondition,
      'reading variable "x" needs a session, and this call has none: call the tool with a session_id',
    ]);
  });

  it("lists the runtime's TypeScript tools for list_tools when the gateway cannot be asked", async () => {
    const names = (await call("py_list_tools", {})) as string[];
    expect(names).toContain("ts_add");
    expect(names).not.toContain("py_leaf");
  });

  it("cancels a nested TypeScript call when the client cancels the Python call", async () => {
    const controller = new AbortController();
    const seen = runtime.countStderr(/ts_wait_for_abort aborted/);
    const started = runtime.countStderr(/ts_wait_for_abort started/);
    const pending = rejection(clients.tools.executeTool({ tool: "py_call", args: { tool: "ts_wait_for_abort" } }, { signal: controller.signal }));
    await runtime.waitForStderr(/ts_wait_for_abort started/, 10_000, started + 1);
    controller.abort();
    expect((await pending).code).toBe(Code.Canceled);
    expect(await runtime.waitForStderr(/ts_wait_for_abort aborted: 1 /, 10_000, seen + 1)).toMatch(/aborted: 1 /);
  });

  it("ends a nested TypeScript call at the Python call's deadline", async () => {
    const seen = runtime.countStderr(/ts_wait_for_abort aborted/);
    const error = await rejection(clients.tools.executeTool({ tool: "py_call", args: { tool: "ts_wait_for_abort" } }, { timeoutMs: 300 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    // The TypeScript tool saw its signal abort (with DEADLINE_EXCEEDED, or CANCELED when Python gave up first).
    expect(await runtime.waitForStderr(/ts_wait_for_abort aborted: [14] /, 10_000, seen + 1)).toMatch(/aborted/);
  });
});

describe("callbacks of a call that came without a gateway call context", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    // A gateway is configured (nothing listens there: registration keeps failing quietly), but calls made with
    // the runtime key alone carry no call context for it.
    runtime = await startRuntime({
      args: ["--module", bridgeTools, "--ts-module", tsTools, "--workers", "1", "--gateway-url", "http://127.0.0.1:9"],
    });
    clients = connectTo(runtime);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  it("fails gateway-bound callbacks FAILED_PRECONDITION, saying the call came without a context", async () => {
    for (const [tool, args] of [
      ["py_read_var", { name: "x" }],
      ["py_set_var", { name: "x", value: 1 }],
      ["py_call", { tool: "py_leaf" }],
    ] as const) {
      const error = await rejection(clients.tools.executeTool({ tool, args, sessionId: "s1" }));
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toMatch(/^this call came without a gateway call context; .* goes through the gateway/);
      expect(errorInfoOf(error).tool).toBe(tool);
    }
  });

  it("still runs the runtime's TypeScript tools", async () => {
    const response = await clients.tools.executeTool({ tool: "py_call", args: { tool: "ts_add", args: { a: 1, b: 1 } } });
    expect(fromValue(response.result)).toBe(2);
  });

  it("says in its log that it cannot reach the gateway to register", async () => {
    expect(await runtime.waitForStderr(/cannot reach the gateway at http:\/\/127\.0\.0\.1:9 to register/)).toMatch(/retrying/);
  });
});
