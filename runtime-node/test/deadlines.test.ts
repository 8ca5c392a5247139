import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonDir, type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const testTools = join(pythonDir, "tests/fixtures/test_tools.py");
const h2 = transportKinds.find((k) => k.protocol === "connect" && k.httpVersion === "2" && k.binary);
const grpc = transportKinds.find((k) => k.protocol === "grpc");

// The runtime's debug line when a worker ends a call it was told to cancel: proof that Python stopped it.
const ended = /ended cancelled call \d+: canceled/;

// The runtime's debug line for a sleep call that ended cancelled.
const canceledSleep = /call tool=sleep code=canceled/;

async function pid(clients: RuntimeClients): Promise<number> {
  const response = await clients.tools.executeTool({ tool: "worker_pid" }, { timeoutMs: 10_000 });
  return fromValue(response.result) as number;
}

describe("deadlines and cancellation that Python honours", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    // One worker and a long grace: a call Python did not stop would hold the worker, not get it recycled.
    runtime = await startRuntime({
      args: ["--module", "examples", "--module", testTools, "--workers", "1", "--cancel-grace-ms", "60000"],
      env: { TOOLBRIDGE_LOG_LEVEL: "debug" },
    });
    clients = connectTo(runtime, h2);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  it.each([
    ["Connect", () => clients],
    ["gRPC", () => connectTo(runtime, grpc)],
  ])("fails a call past its deadline with DEADLINE_EXCEEDED over %s, and Python stops the tool", async (_, make) => {
    const c = make();
    const seen = runtime.countStderr(/ended cancelled call/);
    const error = await rejection(c.tools.executeTool({ tool: "sleep", args: { ms: 20_000 } }, { timeoutMs: 200 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    // The worker ends the call it was told to stop; the reason is the deadline, or the client's own cancel
    // when the client's timer fired first.
    await runtime.waitForStderr(/ended cancelled call \d+: (deadline_exceeded|canceled)/, 15_000, seen + 1);
    if (c !== clients) c.close();
  });

  it("tells a tool the time its caller gave it", async () => {
    const response = await clients.tools.executeTool({ tool: "time_remaining_ms", args: {} }, { timeoutMs: 2000 });
    const remaining = fromValue(response.result) as number;
    expect(remaining).toBeLessThanOrEqual(2000);
    expect(remaining).toBeGreaterThan(1000);
  });

  it("gives a call without a deadline the --max-timeout-ms one", async () => {
    const response = await clients.tools.executeTool({ tool: "context_info", args: {}, sessionId: "s9", requestId: "r9" });
    expect(fromValue(response.result)).toMatchObject({ has_deadline: true, session_id: "s9", request_id: "r9" });
    // The default --max-timeout-ms is 300000.
    const remaining = fromValue((await clients.tools.executeTool({ tool: "time_remaining_ms", args: {} })).result) as number;
    expect(remaining).toBeLessThanOrEqual(300_000);
    expect(remaining).toBeGreaterThan(290_000);
  });

  it("cancels a unary call when the client aborts, and the Python tool sees it", async () => {
    const before = await pid(clients);
    const seen = runtime.countStderr(ended);
    const controller = new AbortController();
    const waiting = clients.tools.executeTool(
      { tool: "wait_for_cancel", args: { limit_ms: 20_000 } },
      { signal: controller.signal },
    );
    // Calls on one worker start in order: once this one answered, wait_for_cancel is running in Python.
    await pid(clients);
    controller.abort();
    expect((await rejection(waiting)).code).toBe(Code.Canceled);
    await runtime.waitForStderr(ended, 15_000, seen + 1);
    expect(await pid(clients)).toBe(before);
  });

  it("cancels a stream when the client stops reading, and the generator stops", async () => {
    const seen = runtime.countStderr(ended);
    const controller = new AbortController();
    const stream = clients.tools.streamTool({ tool: "stream_until_cancelled", args: {} }, { signal: controller.signal });
    let chunks = 0;
    const error = await rejection(
      (async () => {
        for await (const response of stream) {
          if (response.event.case === "chunk" && ++chunks === 3) controller.abort();
        }
      })(),
    );
    expect(error.code).toBe(Code.Canceled);
    await runtime.waitForStderr(ended, 15_000, seen + 1);
  });

  it("applies the deadline of a call that waited in the queue", async () => {
    const response = await clients.tools.executeTool({ tool: "sleep", args: { ms: 1 } }, { timeoutMs: 10_000 });
    expect(fromValue(response.result)).toEqual({ slept_ms: 1 });
  });
});

describe("a tool that ignores cancellation", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    runtime = await startRuntime({
      args: ["--module", "examples", "--module", testTools, "--workers", "1", "--cancel-grace-ms", "300"],
    });
    clients = connectTo(runtime, h2);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  it("is abandoned: its worker is replaced, and the worker's other calls finish", async () => {
    const before = await pid(clients);
    const other = clients.tools.executeTool({ tool: "sleep", args: { ms: 1500 } });
    const error = await rejection(
      clients.tools.executeTool({ tool: "ignore_cancel", args: { ms: 5000 } }, { timeoutMs: 100 }),
    );
    expect(error.code).toBe(Code.DeadlineExceeded);
    await runtime.waitForStderr(new RegExp(`pid ${before}\\) ignored a cancellation for 300 ms; replacing it`));
    // New calls go to the replacement only.
    const after = await pid(clients);
    expect(after).not.toBe(before);
    // The call that was running beside the stuck one is untouched.
    expect(fromValue((await other).result)).toEqual({ slept_ms: 1500 });
    await runtime.waitForStderr(new RegExp(`pid ${before}\\) stopped after being replaced`));
  });
});

describe("the queue", () => {
  let runtime: RuntimeProcess;
  let clients: RuntimeClients;

  beforeAll(async () => {
    runtime = await startRuntime({
      args: [
        ...["--module", "examples", "--workers", "1", "--worker-concurrency", "1", "--max-queue", "1"],
        ...["--max-timeout-ms", "1000", "--log-level", "debug"],
      ],
    });
    clients = connectTo(runtime, h2);
  });

  afterAll(async () => {
    clients?.close();
    await runtime?.stop();
  });

  it("refuses calls with RESOURCE_EXHAUSTED when it is full, and serves again once it drains", async () => {
    const controller = new AbortController();
    const running = clients.tools.executeTool({ tool: "sleep", args: { ms: 20_000 } }, { signal: controller.signal });
    const queued = clients.tools.executeTool({ tool: "sleep", args: { ms: 20_000 } }, { signal: controller.signal });
    // The two calls reach the runtime in order on one HTTP/2 connection; the next one finds the queue full.
    const refused = await rejection(clients.tools.executeTool({ tool: "echo", args: {} }));
    expect(refused.code).toBe(Code.ResourceExhausted);
    expect(refused.rawMessage).toMatch(/calls are already waiting/);
    const seen = runtime.countStderr(canceledSleep);
    controller.abort();
    expect((await rejection(running)).code).toBe(Code.Canceled);
    expect((await rejection(queued)).code).toBe(Code.Canceled);
    // The client knows at once; wait until the runtime has let go of both calls too.
    await runtime.waitForStderr(canceledSleep, 15_000, seen + 2);
    const served = await clients.tools.executeTool({ tool: "echo", args: { ok: true } }, { timeoutMs: 10_000 });
    expect(fromValue(served.result)).toEqual({ ok: true });
  });

  it("caps a call's deadline at --max-timeout-ms", async () => {
    const error = await rejection(
      clients.tools.executeTool({ tool: "sleep", args: { ms: 20_000 } }, { timeoutMs: 60_000 }),
    );
    expect(error.code).toBe(Code.DeadlineExceeded);
    // Python holds the same deadline, so either side may call it first; both name the deadline and the tool.
    expect(error.rawMessage).toMatch(/deadline/);
    expect(errorInfoOf(error).tool).toBe("sleep");
  });
});
