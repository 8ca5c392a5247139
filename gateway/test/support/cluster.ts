// Real processes for end-to-end tests: a redis-server, the gateway (main.js) and runtimes registered with it.
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { Health } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { type RedisServer, startRedis } from "../../../test/support/redis.js";
import { type RuntimeProcess, startRuntime } from "../../../test/support/runtime.js";
import type { Announcement } from "../../../runtime-node/src/registry/runtime-announcer.js";
import { connectTo, transportKinds as runtimeTransportKinds, type TransportKind } from "../../../runtime-node/test/support/clients.js";
import { type GatewayProcess, startGateway } from "./gateway-process.js";
import { registerRuntime } from "./registration.js";

export type { TransportKind } from "../../../runtime-node/test/support/clients.js";

/** The API keys every cluster provisions through TOOLBRIDGE_API_KEYS. */
export const clusterKeys = {
  /** Org "acme", every tool. */
  acme: "e2e-acme-0123456789abcdef",
  /** Org "acme", only echo, reverse_text and count. */
  limited: "e2e-limited-0123456789abcdef",
  /** Org "beta", every tool. */
  beta: "e2e-beta-0123456789abcdef",
} as const;

/** The runtime credential of every cluster. */
export const clusterRuntimeKey = "e2e-runtime-key-0123456789abcdef";

/** Every transport the gateway serves: the runtime's, without plain gRPC (the runtimes' job alone). */
export const transportKinds: TransportKind[] = runtimeTransportKinds.filter((kind) => kind.protocol !== "grpc");

/** Clients of every gateway service over one transport. */
export interface GatewayClients {
  tools: Client<typeof ToolService>;
  sessions: Client<typeof SessionService>;
  variables: Client<typeof VariableService>;
  objects: Client<typeof ObjectService>;
  registry: Client<typeof RegistryService>;
  health: Client<typeof Health>;
  /** Ends the HTTP/2 connection, if any. */
  close(): void;
}

/** Clients sending `Authorization: Bearer <key>` (none for null) through the given transport. */
export function clientsFor(url: string, key: string | null, kind: TransportKind = transportKinds[0]): GatewayClients {
  const { transport, close } = connectTo({ url, key: key ?? undefined }, kind);
  const client = <T extends DescService>(service: T) => createClient(service, transport);
  return {
    tools: client(ToolService),
    sessions: client(SessionService),
    variables: client(VariableService),
    objects: client(ObjectService),
    registry: client(RegistryService),
    health: client(Health),
    close,
  };
}

/** Options of startCluster. */
export interface ClusterOptions {
  /** Arguments of each runtime to start (one runtime per entry); one runtime with one worker unless set. */
  runtimes?: string[][];
  /** Environment of every runtime. */
  runtimeEnv?: Record<string, string>;
  /** More gateway environment. */
  gatewayEnv?: Record<string, string>;
  /** Keep state in a real redis-server (default) or in memory. */
  store?: "redis" | "memory";
}

/** The processes of one end-to-end test file. */
export interface Cluster {
  gateway: GatewayProcess;
  runtimes: RuntimeProcess[];
  announcements: Announcement[];
  redis: RedisServer | undefined;
  /** Clients of the gateway with a key. */
  clients(key: string | null, kind?: TransportKind): GatewayClients;
  /** Stops everything it started. */
  stop(): Promise<void>;
}

/** Starts redis (unless memory), the gateway and the runtimes, and registers each runtime. Cleans up what started if a later start fails. */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const cluster: Cluster = {
    gateway: undefined as unknown as GatewayProcess,
    runtimes: [],
    announcements: [],
    redis: undefined,
    clients: (key, kind) => clientsFor(cluster.gateway.url, key, kind),
    async stop() {
      await Promise.all(cluster.announcements.map((a) => a.stop({ deregister: false })));
      await Promise.all(cluster.runtimes.map((r) => r.stop()));
      await cluster.gateway?.stop();
      await cluster.redis?.stop();
    },
  };
  try {
    if ((options.store ?? "redis") === "redis") cluster.redis = await startRedis();
    const apiKeys = `${clusterKeys.acme}=acme;${clusterKeys.limited}=acme:echo,reverse_text,count;${clusterKeys.beta}=beta`;
    cluster.gateway = await startGateway({
      TOOLBRIDGE_RUNTIME_KEY: clusterRuntimeKey,
      TOOLBRIDGE_API_KEYS: apiKeys,
      ...(cluster.redis ? { TOOLBRIDGE_REDIS_URL: cluster.redis.url } : {}),
      ...options.gatewayEnv,
    });
    const runtimeArgs = options.runtimes ?? [["--workers", "1"]];
    cluster.runtimes = await Promise.all(
      runtimeArgs.map((args) => startRuntime({ args: [...args, "--key", clusterRuntimeKey], env: options.runtimeEnv })),
    );
    for (const runtime of cluster.runtimes) {
      cluster.announcements.push(await registerRuntime(cluster.gateway.url, clusterRuntimeKey, runtime));
    }
    return cluster;
  } catch (err) {
    await cluster.stop().catch(() => {});
    throw err;
  }
}
