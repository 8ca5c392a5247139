// Real processes for the bridge's end-to-end tests: redis-server, the gateway, and runtimes that register
// themselves with it (--gateway-url), serving the bridge's Python and TypeScript test tools.
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { RuntimeService } from "@toolbridge/proto/gen/toolbridge/v1/runtime_pb";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { type GatewayProcess, startGateway } from "../../gateway/test/support/gateway-process.js";
import { type RedisServer, startRedis } from "./redis.js";
import { pythonDir, type RuntimeProcess, startRuntime } from "./runtime.js";

/** The bridge's test tools: Python (python/tests/fixtures) and TypeScript (runtime-node/test/fixtures). */
export const bridgeTools = {
  python: `${pythonDir}/tests/fixtures/bridge_tools.py`,
  pythonTestTools: `${pythonDir}/tests/fixtures/test_tools.py`,
  typescript: new URL("../../runtime-node/test/fixtures/ts-tools.mjs", import.meta.url).pathname,
  typescriptExamples: new URL("../../runtime-node/dist/examples/typescript-tools.js", import.meta.url).pathname,
};

/** The runtime credential of every bridge cluster. */
export const bridgeRuntimeKey = "bridge-runtime-key-0123456789abcdef";

/** API keys every bridge cluster provisions. */
export const bridgeKeys = {
  /** Org "acme", every tool. */
  acme: "bridge-acme-0123456789abcdef",
  /** Org "acme", only the tools that call others (py_call, py_error_of, py_hop, py_list_tools, ts_call) and py_leaf. */
  limited: "bridge-limited-0123456789abcdef",
} as const;

/** The limited key's tools. */
export const limitedTools = ["py_call", "py_error_of", "py_hop", "py_list_tools", "ts_call", "py_leaf"];

/** Clients of every service of a base URL, with a bearer credential. */
export interface Clients {
  tools: Client<typeof ToolService>;
  sessions: Client<typeof SessionService>;
  variables: Client<typeof VariableService>;
  objects: Client<typeof ObjectService>;
  registry: Client<typeof RegistryService>;
  runtime: Client<typeof RuntimeService>;
}

/** Clients of `url` sending `Authorization: Bearer <credential>` over Connect (HTTP/1.1, binary). */
export function clientsOf(url: string, credential: string): Clients {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${credential}`);
    return next(req);
  };
  const transport = createConnectTransport({ baseUrl: url, httpVersion: "1.1", interceptors: [auth] });
  const client = <T extends DescService>(service: T) => createClient(service, transport);
  return {
    tools: client(ToolService),
    sessions: client(SessionService),
    variables: client(VariableService),
    objects: client(ObjectService),
    registry: client(RegistryService),
    runtime: client(RuntimeService),
  };
}

/** The processes of one test file. */
export interface BridgeCluster {
  redis: RedisServer | undefined;
  gateway: GatewayProcess;
  runtimes: RuntimeProcess[];
  /** Starts (or restarts, after `stopGateway`) the gateway on `port` (0: a free one). */
  startGateway(port?: number): Promise<GatewayProcess>;
  /** Starts a runtime with these extra flags, registered with the gateway; resolves once the gateway has it. */
  startRuntime(args?: string[]): Promise<RuntimeProcess>;
  /** Clients of the gateway. */
  gatewayClients(credential: string): Clients;
  /** Stops everything it started, runtimes first. */
  stop(): Promise<void>;
}

/** Options of startBridgeCluster. */
export interface BridgeClusterOptions {
  /** Keep state in a real redis-server (default) or in memory. */
  store?: "redis" | "memory";
  /** The gateway's port; default a free one. */
  gatewayPort?: number;
}

/** Starts redis (unless memory) and the gateway; runtimes come with startRuntime. */
export async function startBridgeCluster(options: BridgeClusterOptions = {}): Promise<BridgeCluster> {
  const apiKeys = `${bridgeKeys.acme}=acme;${bridgeKeys.limited}=acme:${limitedTools.join(",")}`;
  const cluster: BridgeCluster = {
    redis: undefined,
    gateway: undefined as unknown as GatewayProcess,
    runtimes: [],
    async startGateway(port = 0) {
      cluster.gateway = await startGateway({
        TOOLBRIDGE_RUNTIME_KEY: bridgeRuntimeKey,
        TOOLBRIDGE_API_KEYS: apiKeys,
        TOOLBRIDGE_GATEWAY_PORT: String(port),
        ...(cluster.redis ? { TOOLBRIDGE_REDIS_URL: cluster.redis.url } : {}),
      });
      return cluster.gateway;
    },
    async startRuntime(args = []) {
      const runtime = await startRuntime({
        args: [
          "--module",
          bridgeTools.python,
          "--ts-module",
          bridgeTools.typescript,
          "--key",
          bridgeRuntimeKey,
          "--gateway-url",
          cluster.gateway.url,
          ...args,
        ],
      });
      cluster.runtimes.push(runtime);
      await runtime.waitForStderr(/registered with the gateway at /);
      return runtime;
    },
    gatewayClients: (credential) => clientsOf(cluster.gateway.url, credential),
    async stop() {
      await Promise.all(cluster.runtimes.map((r) => r.stop()));
      await cluster.gateway?.stop();
      await cluster.redis?.stop();
    },
  };
  try {
    if ((options.store ?? "redis") === "redis") cluster.redis = await startRedis();
    await cluster.startGateway(options.gatewayPort ?? 0);
    return cluster;
  } catch (err) {
    await cluster.stop().catch(() => {});
    throw err;
  }
}
