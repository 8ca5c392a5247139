// Runtimes register themselves with a real gateway (--gateway-url): their URL, tools and capacity; heartbeats
// with the pool's load; registration again when the gateway forgets them or restarts; retries while it is down;
// deregistration when they drain on SIGTERM. ListRuntimes (runtime key) is what the gateway knows.
import { hostname } from "node:os";
import { fromValue } from "@toolbridge/proto";
import type { RuntimeInfo } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { afterEach, describe, expect, it } from "vitest";
import { type BridgeCluster, bridgeKeys, bridgeRuntimeKey, bridgeTools, startBridgeCluster } from "./support/bridge-cluster.js";
import { freePort } from "./support/free-port.js";
import { runFailingRuntime, type RuntimeProcess, startRuntime } from "./support/runtime.js";

let cluster: BridgeCluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const idOf = (runtime: RuntimeProcess) => `rt-${hostname()}-${runtime.port}`;

async function runtimesOf(c: BridgeCluster): Promise<RuntimeInfo[]> {
  return (await c.gatewayClients(bridgeRuntimeKey).registry.listRuntimes({})).runtimes;
}

/** Polls ListRuntimes every 50 ms until `check` holds (a heartbeat has no event to wait for); fails after `ms`. */
async function until(c: BridgeCluster, check: (runtimes: RuntimeInfo[]) => boolean, what: string, ms = 15_000): Promise<RuntimeInfo[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const runtimes = await runtimesOf(c);
    if (check(runtimes)) return runtimes;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(runtimes.map((r) => r.id))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("runtime registration", () => {
  it("registers on start with its URL, its Python and TypeScript tools with schemas, and its capacity", async () => {
    cluster = await startBridgeCluster();
    const runtime = await cluster.startRuntime(["--workers", "2", "--worker-concurrency", "3", "--max-queue", "7"]);
    const [info] = await runtimesOf(cluster);
    expect(info).toMatchObject({ id: idOf(runtime), url: runtime.url, capacity: { workers: 2, workerConcurrency: 3, maxQueue: 7 } });
    const tools = new Map(info.tools.map((t) => [t.name, t]));
    expect(tools.get("py_leaf")).toMatchObject({ language: "python", parameters: { type: "object" } });
    expect(tools.get("ts_add")).toMatchObject({ language: "typescript", parameters: { required: ["a", "b"] } });
    // And the gateway routes to it.
    const response = await cluster.gatewayClients(bridgeKeys.acme).tools.executeTool({ tool: "ts_add", args: { a: 1, b: 2 } });
    expect([fromValue(response.result), response.runtimeId]).toEqual([3, idOf(runtime)]);
  });

  it("reads the gateway from TOOLBRIDGE_GATEWAY_URL and registers --public-url instead of the listening URL", async () => {
    cluster = await startBridgeCluster({ store: "memory" });
    const port = await freePort();
    const publicUrl = `http://localhost:${port}`;
    const runtime = await startRuntime({
      args: ["--workers", "1", "--key", bridgeRuntimeKey, "--port", String(port), "--public-url", publicUrl],
      env: { TOOLBRIDGE_GATEWAY_URL: cluster.gateway.url },
    });
    cluster.runtimes.push(runtime);
    await runtime.waitForStderr(/registered with the gateway at .* \(http:\/\/localhost:\d+\)/);
    expect((await runtimesOf(cluster)).map((r) => [r.id, r.url])).toEqual([[idOf(runtime), publicUrl]]);
  });

  it("heartbeats with the pool's load", async () => {
    cluster = await startBridgeCluster({ store: "memory" });
    await cluster.startRuntime(["--workers", "1", "--module", bridgeTools.pythonTestTools]);
    const tools = cluster.gatewayClients(bridgeKeys.acme).tools;
    const held = tools.executeTool({ tool: "hold", args: { key: "heartbeat" } });
    try {
      // The gateway asks for a heartbeat every 5 s; the held call is in flight at the next one.
      const [info] = await until(cluster, (r) => (r[0]?.load?.inFlight ?? 0) >= 1, "a heartbeat with a call in flight");
      expect(info.lastHeartbeatAt).toBeDefined();
    } finally {
      await tools.executeTool({ tool: "release", args: { key: "heartbeat" } });
      await held;
    }
  });

  it("registers again when the gateway forgets it", async () => {
    cluster = await startBridgeCluster();
    const runtime = await cluster.startRuntime(["--workers", "1"]);
    await cluster.gatewayClients(bridgeRuntimeKey).registry.deregisterRuntime({ runtimeId: idOf(runtime) });
    expect(await runtimesOf(cluster)).toEqual([]);
    // Its next heartbeat is answered "unknown", and it registers again.
    await runtime.waitForStderr(/registered with the gateway at /, 15_000, 2);
    expect((await runtimesOf(cluster)).map((r) => r.id)).toEqual([idOf(runtime)]);
  });

  it("keeps trying while the gateway is down, and registers with it again after it restarts", async () => {
    const port = await freePort();
    cluster = await startBridgeCluster({ store: "memory", gatewayPort: port });
    const runtime = await cluster.startRuntime(["--workers", "1"]);
    await cluster.gateway.stop();
    await runtime.waitForStderr(/cannot reach the gateway at .* to register: .*; retrying/);
    // A new gateway on the same address, with an empty (memory) store: it does not know the runtime.
    await cluster.startGateway(port);
    await runtime.waitForStderr(/registered with the gateway at /, 15_000, 2);
    expect((await runtimesOf(cluster)).map((r) => r.id)).toEqual([idOf(runtime)]);
    const response = await cluster.gatewayClients(bridgeKeys.acme).tools.executeTool({ tool: "py_leaf", args: { text: "back" } });
    expect(fromValue(response.result)).toEqual({ path: ["py_leaf"], text: "back" });
  });

  it("deregisters when it drains on SIGTERM", async () => {
    cluster = await startBridgeCluster();
    const [a, b] = [await cluster.startRuntime(["--workers", "1"]), await cluster.startRuntime(["--workers", "1"])];
    expect((await runtimesOf(cluster)).map((r) => r.id).sort()).toEqual([idOf(a), idOf(b)].sort());
    expect(await a.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    expect((await runtimesOf(cluster)).map((r) => r.id)).toEqual([idOf(b)]);
  });

  it("refuses --gateway-url without a runtime key", async () => {
    const result = await runFailingRuntime({ args: ["--insecure", "--gateway-url", "http://127.0.0.1:9"] });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--gateway-url needs the runtime key .* cannot be used with --insecure/);
  });

  it("is refused by a gateway with another runtime key, and says so", async () => {
    cluster = await startBridgeCluster({ store: "memory" });
    const runtime = await startRuntime({ args: ["--workers", "1", "--key", "another-runtime-key-0123456789", "--gateway-url", cluster.gateway.url] });
    cluster.runtimes.push(runtime);
    expect(await runtime.waitForStderr(/cannot reach the gateway at .* to register: .*unauthenticated/)).toBeDefined();
    expect(await runtimesOf(cluster)).toEqual([]);
    // Nothing in the log repeats a key.
    expect(runtime.stderr()).not.toContain("another-runtime-key");
  });
});
