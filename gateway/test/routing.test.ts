import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import { afterEach, describe, expect, it } from "vitest";
import { createGateway } from "../src/gateway.js";
import { silentLogger } from "../src/log.js";
import { createMemoryStore } from "../src/store/memory/memory-store.js";
import { type Harness, keys, rejection, runtimeKey, startHarness } from "./support/harness.js";
import { createStubRuntime, type StubRuntime, stubTransports } from "./support/stub-runtime.js";

/** Waits until `check` holds, polling every 5 ms for at most 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("routing", () => {
  let harness: Harness;
  let a: StubRuntime;
  let b: StubRuntime;

  const start = async (options: { loadA?: number; loadB?: number } = {}) => {
    a = createStubRuntime("rt-a", ["echo", "hold", "only_a", "fail", "count", "break"], 1);
    b = createStubRuntime("rt-b", ["echo", "hold", "only_b", "count"], 2);
    harness = await startHarness({ stubs: [a, b] });
    await harness.register(a, options.loadA);
    await harness.register(b, options.loadB);
    return harness.clients(keys.acme);
  };

  afterEach(async () => {
    a?.release("k");
    await harness?.close();
  });

  it("sends each tool to a runtime that serves it", async () => {
    const client = await start();
    expect((await client.tools.executeTool({ tool: "only_a" })).runtimeId).toBe("rt-a");
    expect((await client.tools.executeTool({ tool: "only_b" })).runtimeId).toBe("rt-b");
  });

  it("lists every tool of every live runtime once", async () => {
    const client = await start();
    const { tools } = await client.tools.listTools({});
    expect(tools.map((t) => t.name)).toEqual(["break", "count", "echo", "fail", "hold", "only_a", "only_b"]);
  });

  it("prefers the runtime with fewer calls in flight from this gateway", async () => {
    const client = await start();
    const first = client.tools.executeTool({ tool: "hold", args: { key: "k" } });
    await until(() => a.running() + b.running() === 1, "the first call to start");
    const busy = a.running() === 1 ? a : b;
    const idle = busy === a ? b : a;
    const second = await client.tools.executeTool({ tool: "echo" });
    expect(second.runtimeId).toBe(idle.id);
    busy.release("k");
    await first;
  });

  it("prefers the runtime whose heartbeat reports less load", async () => {
    const client = await start({ loadA: 50, loadB: 0 });
    for (let i = 0; i < 4; i++) expect((await client.tools.executeTool({ tool: "echo" })).runtimeId).toBe("rt-b");
  });

  it("keeps a session on the runtime it first ran on, recording the pin in the store", async () => {
    const client = await start();
    await client.sessions.initializeSession({ sessionId: "s-1" });
    const first = await client.tools.executeTool({ tool: "echo", sessionId: "s-1" });
    expect((await harness.store.getSession("s-1"))?.runtimeId).toBe(first.runtimeId);
    const pinned = first.runtimeId === "rt-a" ? a : b;
    // Make the pinned runtime the busier one: the session stays anyway.
    const holding = client.tools.executeTool({ tool: "hold", args: { key: "k" } });
    await until(() => a.running() + b.running() === 1, "the hold call to start");
    for (let i = 0; i < 3; i++) expect((await client.tools.executeTool({ tool: "echo", sessionId: "s-1" })).runtimeId).toBe(pinned.id);
    expect(pinned.calls.filter((c) => c.sessionId === "s-1")).toHaveLength(4);
    a.release("k");
    b.release("k");
    await holding;
  });

  it("marks a runtime that refuses the connection down and sends the call to the next", async () => {
    const client = await start();
    a.refuse = true;
    for (let i = 0; i < 4; i++) expect((await client.tools.executeTool({ tool: "echo" })).runtimeId).toBe("rt-b");
    a.refuse = false;
    // Marked down for a while: calls keep going to rt-b though rt-a would answer again.
    for (let i = 0; i < 4; i++) expect((await client.tools.executeTool({ tool: "echo" })).runtimeId).toBe("rt-b");
    expect(a.calls).toHaveLength(0);
  });

  it("moves a pinned session to the next runtime when its runtime refuses", async () => {
    const client = await start();
    await client.sessions.initializeSession({ sessionId: "s-1" });
    const first = await client.tools.executeTool({ tool: "echo", sessionId: "s-1" });
    const [pinned, other] = first.runtimeId === "rt-a" ? [a, b] : [b, a];
    pinned.refuse = true;
    const moved = await client.tools.executeTool({ tool: "echo", sessionId: "s-1" });
    expect(moved.runtimeId).toBe(other.id);
    expect((await harness.store.getSession("s-1"))?.runtimeId).toBe(other.id);
  });

  it("never retries a call that may have reached a runtime", async () => {
    const client = await start({ loadB: 50 });
    a.reset = true;
    const error = await rejection(client.tools.executeTool({ tool: "echo" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/lost the connection to runtime 'rt-a'.*may or may not have run/);
    expect(a.calls).toHaveLength(1);
    expect(b.calls).toHaveLength(0);
  });

  it("leaves out of ListTools a tool whose runtimes all refused lately", async () => {
    const client = await start();
    a.refuse = true;
    await client.tools.executeTool({ tool: "only_a" }).catch(() => {});
    const names = (await client.tools.listTools({})).tools.map((t) => t.name);
    expect(names).not.toContain("only_a");
    expect(names).toContain("echo");
  });

  it("answers NOT_FOUND for a tool no runtime serves, and UNAVAILABLE when all that serve it are down", async () => {
    const client = await start();
    const unknown = await rejection(client.tools.executeTool({ tool: "nope" }));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.rawMessage).toMatch(/^no runtime serves tool 'nope'/);
    a.refuse = true;
    b.refuse = true;
    const down = await rejection(client.tools.executeTool({ tool: "echo" }));
    expect(down.code).toBe(Code.Unavailable);
    expect(down.rawMessage).toMatch(/all 2 runtimes that serve tool 'echo' cannot be reached/);
  });

  it("passes a runtime's error through with its code and ErrorInfo", async () => {
    const client = await start();
    const error = await rejection(client.tools.executeTool({ tool: "fail", args: { text: "x" } }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(error)).toMatchObject({ type: "ValueError", field: "/text", tool: "fail", traceback: "Traceback ..." });
  });

  it("streams chunks, progress and the result, retrying a refused runtime before the first message", async () => {
    const client = await start({ loadB: 50 });
    a.refuse = true;
    const events = [];
    for await (const message of client.tools.streamTool({ tool: "count", args: { n: 2 } })) events.push(message.event);
    expect(events.map((e) => e.case)).toEqual(["chunk", "progress", "chunk", "progress", "result"]);
    expect(events.at(-1)?.value).toMatchObject({ runtimeId: "rt-b" });
  });

  it("ends a stream that fails midway with the runtime's error", async () => {
    const client = await start();
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const message of client.tools.streamTool({ tool: "break", args: { n: 1 } })) seen.push(message.event.case ?? "");
      })(),
    );
    expect(seen).toEqual(["chunk", "progress"]);
    expect(error.code).toBe(Code.Internal);
    expect(errorInfoOf(error)).toMatchObject({ type: "RuntimeError", tool: "break" });
  });

  it("finds a runtime registered on another gateway instance sharing the store", async () => {
    const store = createMemoryStore();
    const stub = createStubRuntime("rt-late", ["late_tool"]);
    // A long directory cache: only the re-read before failing can find the new runtime.
    harness = await startHarness({ store, stubs: [stub], gateway: { directoryCacheMs: 60_000 } });
    const client = harness.clients(keys.acme);
    await rejection(client.tools.executeTool({ tool: "late_tool" }));
    const other = createGateway({ store, runtimeTransport: stubTransports([stub]), runtimeKey, log: silentLogger });
    const response = await other.app.request("/toolbridge.v1.RegistryService/RegisterRuntime", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${runtimeKey}` },
      body: JSON.stringify({ runtime: { id: "rt-late", url: stub.url, tools: [{ name: "late_tool" }] } }),
    });
    expect(response.status).toBe(200);
    let served = "";
    const deadline = Date.now() + 5000;
    while (served === "" && Date.now() < deadline) {
      served = await client.tools.executeTool({ tool: "late_tool" }).then((r) => r.runtimeId, () => "");
    }
    expect(served).toBe("rt-late");
    await other.close();
  });

  it("drops a deregistered runtime at once and tells a forgotten runtime to register again", async () => {
    const client = await start();
    const registry = harness.clients(runtimeKey).registry;
    expect((await registry.heartbeat({ runtimeId: "rt-a", load: { inFlight: 1 } })).known).toBe(true);
    await registry.deregisterRuntime({ runtimeId: "rt-a" });
    expect((await rejection(client.tools.executeTool({ tool: "only_a" }))).code).toBe(Code.NotFound);
    expect((await registry.heartbeat({ runtimeId: "rt-a" })).known).toBe(false);
    const bad = await rejection(registry.registerRuntime({ runtime: { id: "rt-x", url: "ftp://x" } }));
    expect(bad.code).toBe(Code.InvalidArgument);
  });
});

describe("BatchExecuteTools", () => {
  let harness: Harness;
  let a: StubRuntime;
  let b: StubRuntime;

  afterEach(async () => {
    await harness?.close();
  });

  const start = async () => {
    a = createStubRuntime("rt-a", ["echo", "fail", "hold"], 1);
    b = createStubRuntime("rt-b", ["other"], 2);
    harness = await startHarness({ stubs: [a, b], gateway: { maxBatchParallel: 4, defaultBatchParallel: 2 } });
    await harness.register(a);
    await harness.register(b);
    return harness.clients(keys.acme);
  };

  it("fans calls out across runtimes and keeps the input order, with per-item errors", async () => {
    const client = await start();
    const { outcomes } = await client.tools.batchExecuteTools({
      calls: [
        { tool: "other", args: { i: 0 } },
        { tool: "echo", args: { i: 1 } },
        { tool: "fail", args: { text: "x" } },
        { tool: "missing" },
        { tool: "echo", args: { i: 4 } },
      ],
    });
    expect(outcomes.map((o) => o.outcome.case)).toEqual(["response", "response", "error", "error", "response"]);
    const ran = outcomes.map((o) => (o.outcome.case === "response" ? (fromValue(o.outcome.value.result) as { runtime: string }).runtime : ""));
    expect(ran).toEqual(["rt-b", "rt-a", "", "", "rt-a"]);
    expect(outcomes[2].outcome.value).toMatchObject({ code: "invalid_argument", type: "ValueError", tool: "fail" });
    expect(outcomes[3].outcome.value).toMatchObject({ code: "not_found", tool: "missing" });
  });

  it("holds at most max_parallel calls in flight, capped by the server", async () => {
    const client = await start();
    let peak = 0;
    const calls = Array.from({ length: 8 }, (_, i) => ({ tool: "hold", args: { key: `k${i}` } }));
    const batch = client.tools.batchExecuteTools({ calls, maxParallel: 100 });
    for (let i = 0; i < 8; i++) {
      await until(() => a.running() >= Math.min(4, 8 - i), `${Math.min(4, 8 - i)} calls running`);
      peak = Math.max(peak, a.running());
      a.release(`k${i}`);
    }
    const { outcomes } = await batch;
    expect(peak).toBe(4);
    expect(outcomes.every((o) => o.outcome.case === "response")).toBe(true);
  });

  it("stops starting calls after a failure with stop_on_error, reporting them ABORTED", async () => {
    const client = await start();
    const { outcomes } = await client.tools.batchExecuteTools({
      calls: [{ tool: "echo" }, { tool: "fail" }, { tool: "echo" }, { tool: "other" }],
      maxParallel: 1,
      stopOnError: true,
    });
    expect(outcomes.map((o) => (o.outcome.case === "error" ? o.outcome.value.code : "ok"))).toEqual(["ok", "invalid_argument", "aborted", "aborted"]);
    expect(outcomes[3].outcome.value).toMatchObject({ tool: "other" });
    expect(b.calls).toHaveLength(0);
  });

  it("refuses a batch larger than the server allows", async () => {
    const client = await start();
    const error = await rejection(client.tools.batchExecuteTools({ calls: Array.from({ length: 1001 }, () => ({ tool: "echo" })) }));
    expect(error.code).toBe(Code.InvalidArgument);
  });
});
