// The gateway's own TypeScript tools, through the gateway app (Connect, REST, SSE) over stub runtimes.
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { defineTool, errorInfoOf, fromValue, toolError, type ToolDefinition } from "@toolbridge/proto";
import { verify } from "hono/jwt";
import { afterEach, describe, expect, it } from "vitest";
import { provisionApiKey } from "../src/auth/api-keys.js";
import { createCallContexts } from "../src/auth/call-context.js";
import { createJwtSigner } from "../src/auth/jwt-signer.js";
import { createLogger } from "../src/log.js";
import type { GatewayOptions } from "../src/options.js";
import { type Harness, keys, protocols, rejection, runtimeKey, startHarness } from "./support/harness.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";
import { valueOf, write } from "./support/values.js";

const text: JsonObject = { type: "object", properties: { text: { type: "string" } }, required: ["text"], additionalProperties: false };
const anything: JsonObject = { type: "object" };

/** A tool that calls args.tool with args.args through its context and returns the result's value. */
const relay = (name: string) =>
  defineTool({
    name,
    description: "calls another tool",
    parameters: { type: "object", properties: { tool: { type: "string" }, args: { type: "object" } }, required: ["tool"] },
    run: async ({ args, ctx }) => (await ctx.callTool(args.tool as string, (args.args ?? {}) as JsonObject)).value,
  });

/** What the tools below saw, for the assertions. */
const seen = {
  runs: 0,
  abortReason: undefined as unknown,
  started: undefined as (() => void) | undefined,
};
const started = () => new Promise<void>((resolve) => (seen.started = resolve));

const tools: ToolDefinition[] = [
  defineTool({
    name: "shout",
    description: "upper-cases text",
    parameters: text,
    run: ({ args }) => {
      seen.runs++;
      return { text: String(args.text).toUpperCase() };
    },
  }),
  defineTool({ name: "throws", description: "fails", parameters: anything, run: () => { throw new TypeError("bad thing happened"); } }),
  defineTool({
    name: "denies",
    description: "fails on purpose",
    parameters: anything,
    run: () => { throw toolError(Code.PermissionDenied, "not for you", { type: "Denied", field: "/who" }); },
  }),
  defineTool({
    name: "waits",
    description: "waits for its signal",
    parameters: anything,
    run: ({ ctx }) =>
      new Promise((_, reject) => {
        seen.started?.();
        ctx.signal.addEventListener("abort", () => {
          seen.abortReason = ctx.signal.reason;
          reject(ctx.signal.reason);
        });
      }),
  }),
  defineTool({ name: "ignores", description: "never finishes", parameters: anything, run: () => new Promise(() => {}) }),
  defineTool({
    name: "ticks",
    description: "counts to n",
    parameters: { type: "object", properties: { n: { type: "integer", minimum: 0 } }, required: ["n"] },
    stream: async function* ({ args, ctx }) {
      const n = args.n as number;
      for (let i = 1; i <= n; i++) {
        yield i;
        ctx.progress(i / n, `${i} of ${n}`);
      }
      return "done";
    },
  }),
  defineTool({ name: "bytes", description: "binary result", parameters: anything, run: () => ({ value: null, payload: new Uint8Array([1, 2, 3]) }) }),
  relay("relay"),
  relay("relay_b"),
  relay("relay_c"),
  defineTool({
    name: "relay_stream",
    description: "collects a streamed tool",
    parameters: anything,
    run: async ({ args, ctx }) => {
      const items: JsonValue[] = [];
      for await (const item of ctx.streamTool(args.tool as string, (args.args ?? {}) as JsonObject)) items.push(item as JsonValue);
      return items;
    },
  }),
  defineTool({
    name: "remember",
    description: "reads and writes a session variable",
    parameters: text,
    run: async ({ args, ctx }) => {
      seen.runs++;
      const before = await ctx.getVariable("note");
      const after = await ctx.setVariable("note", args.text as string, { type: "string" });
      const all = await ctx.listVariables();
      return { session: ctx.sessionId, before: before?.value ?? null, version: after.version, names: all.map((v) => v.name) };
    },
  }),
  defineTool({ name: "clash", description: "the gateway's clash", parameters: anything, run: () => "gateway" }),
];

describe("gateway tools", () => {
  let harness: Harness;
  let stub: StubRuntime;
  let warnings: string[];

  const start = async (gateway: Partial<GatewayOptions> = {}) => {
    warnings = [];
    seen.runs = 0;
    seen.abortReason = undefined;
    stub = createStubRuntime("rt-a", ["echo", "count", "clash", "py_tool"]);
    const log = createLogger({ level: "warn", write: (line) => warnings.push(line) });
    harness = await startHarness({ stubs: [stub], gateway: { tools, log, ...gateway } });
    await harness.register(stub);
    return harness.clients(keys.acme);
  };

  afterEach(async () => {
    await harness?.close();
  });

  it.each(protocols)("runs a gateway tool in process over %s, without a runtime", async (protocol) => {
    await start();
    const response = await harness.clients(keys.acme, protocol).tools.executeTool({ tool: "shout", args: { text: "hi" }, requestId: "r-1" });
    expect(fromValue(response.result)).toEqual({ text: "HI" });
    expect(response).toMatchObject({ runtimeId: "gateway", requestId: "r-1" });
    expect(response.timings?.totalMs).toBeGreaterThanOrEqual(0);
    expect(stub.calls).toHaveLength(0);
  });

  it("lists gateway tools as typescript tools beside the runtimes'", async () => {
    const client = await start();
    const { tools: listed } = await client.tools.listTools({});
    expect(listed.find((t) => t.name === "shout")).toMatchObject({ language: "typescript", description: "upper-cases text", streaming: false });
    expect(listed.find((t) => t.name === "ticks")?.streaming).toBe(true);
    expect(listed.find((t) => t.name === "shout")?.parameters).toEqual(text);
    expect(listed.map((t) => t.name)).toContain("echo");
  });

  it("serves a gateway tool over a runtime tool of the same name, and warns when the runtime registers", async () => {
    const client = await start();
    const listed = (await client.tools.listTools({})).tools.filter((t) => t.name === "clash");
    expect(listed).toHaveLength(1);
    expect(listed[0].language).toBe("typescript");
    const response = await client.tools.executeTool({ tool: "clash" });
    expect(fromValue(response.result)).toBe("gateway");
    expect(stub.calls).toHaveLength(0);
    expect(warnings.join("\n")).toMatch(/runtime 'rt-a' registered 'clash', which the gateway serves itself/);
  });

  it("refuses a session tool named like a gateway tool with ALREADY_EXISTS", async () => {
    const client = await start();
    await client.sessions.initializeSession({ sessionId: "s-1" });
    const error = await rejection(client.sessions.registerSessionTool({ sessionId: "s-1", tool: { name: "shout" }, endpoint: stub.url }));
    expect(error.code).toBe(Code.AlreadyExists);
    expect(error.rawMessage).toMatch(/'shout' is a tool of the gateway itself/);
  });

  it("checks arguments against the tool's schema, naming the field, before running it", async () => {
    const client = await start();
    const missing = await rejection(client.tools.executeTool({ tool: "shout", args: {} }));
    expect(missing.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(missing)).toMatchObject({ field: "/text", tool: "shout", type: "InvalidArguments" });
    const wrongType = await rejection(client.tools.executeTool({ tool: "shout", args: { text: 3 } }));
    expect(errorInfoOf(wrongType).field).toBe("/text");
    const extra = await rejection(client.tools.executeTool({ tool: "shout", args: { text: "a", loud: true } }));
    expect(extra.rawMessage).toMatch(/unexpected argument "loud"/);
    expect(seen.runs).toBe(0);
  });

  it("denies a gateway tool outside the key's allowlist before running it", async () => {
    await start();
    const error = await rejection(harness.clients(keys.limited).tools.executeTool({ tool: "shout", args: { text: "x" } }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(seen.runs).toBe(0);
    expect((await harness.clients(keys.limited).tools.listTools({})).tools.map((t) => t.name)).not.toContain("shout");
  });

  it("turns a thrown error into INTERNAL with the error's name and stack, and keeps a ConnectError's code", async () => {
    const client = await start();
    const thrown = await rejection(client.tools.executeTool({ tool: "throws" }));
    expect(thrown.code).toBe(Code.Internal);
    expect(errorInfoOf(thrown)).toMatchObject({ type: "TypeError", tool: "throws", message: "tool 'throws' failed: bad thing happened" });
    expect(errorInfoOf(thrown).traceback).toMatch(/TypeError: bad thing happened\n\s+at /);
    const denied = await rejection(client.tools.executeTool({ tool: "denies" }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(errorInfoOf(denied)).toMatchObject({ type: "Denied", field: "/who", tool: "denies", message: "not for you" });
  });

  it("returns a binary result as the payload", async () => {
    const client = await start();
    const response = await client.tools.executeTool({ tool: "bytes" });
    expect(response.payload).toEqual(new Uint8Array([1, 2, 3]));
    expect(response.result).toBeUndefined();
  });

  it("ends a tool's signal at the call's deadline and answers DEADLINE_EXCEEDED", async () => {
    await start();
    const response = await harness.fetch("http://gateway.test/cluster-tools/execute", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${keys.acme}` },
      body: JSON.stringify({ tool_name: "waits", timeout_ms: 50 }),
    });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ code: "deadline_exceeded", tool: "waits" });
    expect(errorInfoOf(seen.abortReason).code).toBe("deadline_exceeded");
  });

  it("answers at the deadline even when the tool ignores its signal", async () => {
    await start();
    const response = await harness.fetch("http://gateway.test/cluster-tools/execute", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${keys.acme}` },
      body: JSON.stringify({ tool_name: "ignores", timeout_ms: 30 }),
    });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("tool 'ignores' did not finish within the call's deadline of 30 ms");
  });

  it("aborts a tool's signal when its caller cancels", async () => {
    const client = await start();
    const controller = new AbortController();
    const running = started();
    const call = client.tools.executeTool({ tool: "waits" }, { signal: controller.signal });
    await running;
    controller.abort();
    expect((await rejection(call)).code).toBe(Code.Canceled);
    await expect.poll(() => errorInfoOf(seen.abortReason).code, { timeout: 5000 }).toBe("canceled");
  });

  it.each(protocols)("streams a gateway tool's chunks, progress and result over %s", async (protocol) => {
    await start();
    const events: { case: string | undefined; value: unknown }[] = [];
    for await (const message of harness.clients(keys.acme, protocol).tools.streamTool({ tool: "ticks", args: { n: 3 } })) {
      const event = message.event;
      if (event.case === "chunk") events.push({ case: "chunk", value: fromValue(event.value.data) });
      else if (event.case === "progress") events.push({ case: "progress", value: event.value.message });
      else if (event.case === "result") events.push({ case: "result", value: fromValue(event.value.result) });
    }
    expect(events).toEqual([
      { case: "chunk", value: 1 },
      { case: "progress", value: "1 of 3" },
      { case: "chunk", value: 2 },
      { case: "progress", value: "2 of 3" },
      { case: "chunk", value: 3 },
      { case: "progress", value: "3 of 3" },
      { case: "result", value: "done" },
    ]);
  });

  it("collects a streaming tool's items when it is called unary, and streams a unary tool's result alone", async () => {
    const client = await start();
    expect(fromValue((await client.tools.executeTool({ tool: "ticks", args: { n: 3 } })).result)).toEqual([1, 2, 3]);
    const cases = [];
    for await (const message of client.tools.streamTool({ tool: "shout", args: { text: "a" } })) cases.push(message.event.case);
    expect(cases).toEqual(["result"]);
  });

  it("streams a gateway tool as server-sent events, and resolves it to the gateway", async () => {
    await start();
    const post = (path: string, body: unknown) =>
      harness.fetch(`http://gateway.test${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${keys.acme}` },
        body: JSON.stringify(body),
      });
    const sse = await (await post("/v1/tools/ticks:stream", { n: 2 })).text();
    expect(sse).toMatch(/event: chunk\ndata: {"index":0,"data":1}/);
    expect(sse).toMatch(/event: result\ndata: {"output":"done"/);
    expect(await (await post("/cluster-tools/resolve", { tool_name: "shout" })).json()).toEqual({
      success: true,
      endpoint: "http://gateway.test",
      runtime_id: "gateway",
    });
    const executed = await (await post("/cluster-tools/execute", { tool_name: "shout", input: { text: "rest" } })).json();
    expect(executed).toMatchObject({ success: true, output: { text: "REST" }, metadata: { runtime_id: "gateway" } });
  });

  it("calls a runtime tool from a gateway tool with the chain extended", async () => {
    const client = await start();
    const response = await client.tools.executeTool({ tool: "relay", args: { tool: "echo", args: { x: 1 } } });
    expect(fromValue(response.result)).toMatchObject({ runtime: "rt-a", tool: "echo", args: { x: 1 } });
    const context = stub.calls.at(-1)?.callContext as string;
    expect(await verify(context, runtimeKey, { alg: "HS256", aud: "toolbridge-call" })).toMatchObject({
      org: "acme",
      chain: ["relay", "echo"],
      depth: 2,
    });
  });

  it("streams another tool from a gateway tool", async () => {
    const client = await start();
    const viaRuntime = await client.tools.executeTool({ tool: "relay_stream", args: { tool: "count", args: { n: 2 } } });
    expect(fromValue(viaRuntime.result)).toEqual([1, 2]);
    const local = await client.tools.executeTool({ tool: "relay_stream", args: { tool: "ticks", args: { n: 3 } } });
    expect(fromValue(local.result)).toEqual([1, 2, 3]);
  });

  it("ends a cycle of nested calls with FAILED_PRECONDITION", async () => {
    const client = await start();
    const error = await rejection(
      client.tools.executeTool({ tool: "relay", args: { tool: "relay_b", args: { tool: "relay" } } }),
    );
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe("call cycle: relay -> relay_b -> relay");
  });

  it("refuses nested calls past the depth limit with RESOURCE_EXHAUSTED", async () => {
    const client = await start({ maxCallDepth: 2 });
    const error = await rejection(
      client.tools.executeTool({ tool: "relay", args: { tool: "relay_b", args: { tool: "relay_c", args: { tool: "echo" } } } }),
    );
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/nested calls deeper than 2: relay -> relay_b -> relay_c/);
  });

  it("holds the caller's allowlist in nested calls", async () => {
    await start();
    const key = "key-relay-only-0123456789";
    await provisionApiKey(harness.store, key, { orgId: "acme", allowedTools: ["relay", "echo"] });
    const client = harness.clients(key);
    expect(fromValue((await client.tools.executeTool({ tool: "relay", args: { tool: "echo" } })).result)).toMatchObject({ tool: "echo" });
    const denied = await rejection(client.tools.executeTool({ tool: "relay", args: { tool: "shout", args: { text: "x" } } }));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toMatch(/may not call tool 'shout'/);
    expect(seen.runs).toBe(0);
  });

  it("sees a cycle through a runtime's callback into a gateway tool", async () => {
    await start();
    const contexts = createCallContexts({ signer: createJwtSigner(runtimeKey), ttlMs: 60_000, maxDepth: 8, maxEntries: 10 });
    const context = await contexts.headerFor({ kind: "api-key", orgId: "acme", allowedTools: "all", chain: [] }, "", "py_tool", 1000);
    const fromRuntime = harness.clients(runtimeKey, "connect-binary", { "toolbridge-call": context });
    const error = await rejection(fromRuntime.tools.executeTool({ tool: "relay", args: { tool: "py_tool" } }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe("call cycle: py_tool -> relay -> py_tool");
  });

  it("gives a tool its session's variables, as the VariableService sees them", async () => {
    const client = await start();
    await client.sessions.initializeSession({ sessionId: "s-1", variables: [write("other", "integer", 1)] });
    const first = await client.tools.executeTool({ tool: "remember", args: { text: "hi" }, sessionId: "s-1" });
    expect(fromValue(first.result)).toEqual({ session: "s-1", before: null, version: 1, names: ["note", "other"] });
    expect(valueOf((await client.variables.getVariable({ sessionId: "s-1", name: "note" })).variable)).toBe("hi");
    await client.variables.setVariable({ sessionId: "s-1", write: write("note", "string", "from client") });
    const second = await client.tools.executeTool({ tool: "remember", args: { text: "again" }, sessionId: "s-1" });
    expect(fromValue(second.result)).toMatchObject({ before: "from client", version: 3 });
  });

  it("keeps sessions isolated: another org's session is NOT_FOUND before the tool runs", async () => {
    const client = await start();
    await client.sessions.initializeSession({ sessionId: "s-1" });
    seen.runs = 0;
    const error = await rejection(harness.clients(keys.beta).tools.executeTool({ tool: "remember", args: { text: "x" }, sessionId: "s-1" }));
    expect(error.code).toBe(Code.NotFound);
    expect(seen.runs).toBe(0);
    expect((await client.variables.listVariables({ sessionId: "s-1" })).variables).toEqual([]);
  });

  it("answers FAILED_PRECONDITION when a tool uses variables in a call without a session", async () => {
    const client = await start();
    const error = await rejection(client.tools.executeTool({ tool: "remember", args: { text: "x" } }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/its call has no session/);
  });

  it("refuses a gateway created with two tools of one name", async () => {
    await expect(startHarness({ gateway: { tools: [tools[0], tools[0]] } })).rejects.toThrow(/two gateway tools are named 'shout'/);
  });
});
