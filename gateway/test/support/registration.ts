// Registers a real runtime process with a gateway from outside (runtimes started with --gateway-url register themselves).
import { hostname } from "node:os";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { RuntimeProcess } from "../../../test/support/runtime.js";
import { type Announcement, announceRuntime } from "../../../runtime-node/src/registry/runtime-announcer.js";

/** The id a runtime gives itself (and reports in responses): rt-<hostname>-<port>. */
export function runtimeIdOf(runtime: RuntimeProcess): string {
  return `rt-${hostname()}-${runtime.port}`;
}

/** Registers `runtime` with the gateway at `gatewayUrl` under its own id and heartbeats until stopped. */
export async function registerRuntime(gatewayUrl: string, runtimeKey: string, runtime: RuntimeProcess): Promise<Announcement> {
  const id = runtimeIdOf(runtime);
  const tools = createClient(ToolService, createConnectTransport({ baseUrl: runtime.url, httpVersion: "1.1" }));
  const { tools: infos } = await tools.listTools({}, { headers: runtime.headers() });
  const announcement = announceRuntime({
    transport: createConnectTransport({ baseUrl: gatewayUrl, httpVersion: "1.1" }),
    runtimeKey,
    runtime: () => ({ id, url: runtime.url, tools: infos, capacity: { workers: 1, workerConcurrency: 16, maxQueue: 1024 } }),
  });
  await announcement.registered;
  return announcement;
}
