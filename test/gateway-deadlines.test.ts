// Deadlines and cancellation travel from the client through the real gateway to the runtime and
// into Python: the runtime's debug log shows the worker ending each call it was told to stop.
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterKeys, type GatewayClients, startCluster } from "../gateway/test/support/cluster.js";
import { pythonDir } from "./support/runtime.js";
import { rejection } from "./support/rejection.js";

const testTools = join(pythonDir, "tests/fixtures/test_tools.py");
// The runtime's debug line when a worker ends a call it was told to cancel: proof that Python stopped it.
const ended = /ended cancelled call \d+: (deadline_exceeded|canceled)/;
// For a deadline, either that, or Python ending the call itself at the deadline it was given (then
// the runtime logs the call's end as deadline_exceeded and has nothing to cancel): whichever fires first.
const endedAtDeadline = /ended cancelled call \d+: (deadline_exceeded|canceled)|call tool=sleep code=deadline_exceeded/;

let cluster: Cluster;
let c: GatewayClients;

beforeAll(async () => {
  // One worker and a long grace: a call Python did not stop would hold the worker, not get it recycled.
  cluster = await startCluster({
    runtimes: [["--module", "examples", "--module", testTools, "--workers", "1", "--cancel-grace-ms", "60000"]],
    runtimeEnv: { TOOLBRIDGE_LOG_LEVEL: "debug" },
    store: "memory",
  });
  c = cluster.clients(clusterKeys.acme, { name: "h2", protocol: "connect", binary: true, httpVersion: "2" });
});

afterAll(async () => {
  c?.close();
  await cluster?.stop();
});

const runtime = () => cluster.runtimes[0];

describe("deadlines and cancellation through the gateway", () => {
  it("fails a call past its deadline with DEADLINE_EXCEEDED, and Python stops the tool", async () => {
    const seen = runtime().countStderr(endedAtDeadline);
    const error = await rejection(c.tools.executeTool({ tool: "sleep", args: { ms: 20_000 } }, { timeoutMs: 300 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    await runtime().waitForStderr(endedAtDeadline, 15_000, seen + 1);
  });

  it("tells the Python tool the caller's deadline and session", async () => {
    await c.sessions.initializeSession({ sessionId: "ctx-1" });
    const response = await c.tools.executeTool({ tool: "context_info", args: {}, sessionId: "ctx-1" }, { timeoutMs: 5000 });
    expect(fromValue(response.result)).toMatchObject({ has_deadline: true, time_remaining_positive: true, session_id: "ctx-1" });
    const remaining = fromValue((await c.tools.executeTool({ tool: "time_remaining_ms", args: {} }, { timeoutMs: 2000 })).result) as number;
    expect(remaining).toBeLessThanOrEqual(2000);
    expect(remaining).toBeGreaterThan(1000);
  });

  it("cancels a unary call when the client aborts, and Python sees it", async () => {
    const seen = runtime().countStderr(ended);
    const controller = new AbortController();
    const waiting = c.tools.executeTool({ tool: "wait_for_cancel", args: { limit_ms: 20_000 } }, { signal: controller.signal });
    // Calls on one worker start in order: once this one answered, wait_for_cancel is running in Python.
    await c.tools.executeTool({ tool: "worker_pid", args: {} });
    controller.abort();
    expect((await rejection(waiting)).code).toBe(Code.Canceled);
    await runtime().waitForStderr(ended, 15_000, seen + 1);
  });

  it("cancels a stream when the client stops reading, and the generator stops", async () => {
    const seen = runtime().countStderr(ended);
    const controller = new AbortController();
    let chunks = 0;
    const error = await rejection(
      (async () => {
        for await (const message of c.tools.streamTool({ tool: "stream_until_cancelled", args: {} }, { signal: controller.signal })) {
          if (message.event.case === "chunk" && ++chunks === 3) controller.abort();
        }
      })(),
    );
    expect(error.code).toBe(Code.Canceled);
    await runtime().waitForStderr(ended, 15_000, seen + 1);
  });

  it("applies a REST call's timeout_ms, answering 504", async () => {
    const seen = runtime().countStderr(endedAtDeadline);
    const response = await fetch(`${cluster.gateway.url}/cluster-tools/execute`, {
      method: "POST",
      headers: { authorization: `Bearer ${clusterKeys.acme}`, "content-type": "application/json" },
      body: JSON.stringify({ tool_name: "sleep", input: { ms: 20_000 }, timeout_ms: 300 }),
    });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("deadline_exceeded");
    await runtime().waitForStderr(endedAtDeadline, 15_000, seen + 1);
  });

  it("cancels the tool when an SSE client goes away", async () => {
    const seen = runtime().countStderr(ended);
    const controller = new AbortController();
    const response = await fetch(`${cluster.gateway.url}/v1/tools/stream_until_cancelled:stream`, {
      method: "POST",
      headers: { authorization: `Bearer ${clusterKeys.acme}`, "content-type": "application/json" },
      body: "{}",
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while ((text.match(/event: chunk/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the stream ended early");
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    await runtime().waitForStderr(ended, 15_000, seen + 1);
  });
});
