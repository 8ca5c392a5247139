// A gateway served through app.request() (no sockets), with clients of every service and stub runtimes.
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { Health } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { provisionApiKey } from "../../src/auth/api-keys.js";
import { createGateway, type Gateway } from "../../src/gateway.js";
import { silentLogger } from "../../src/log.js";
import type { GatewayOptions } from "../../src/options.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { type StubRuntime, stubTransports } from "./stub-runtime.js";

/** The ConnectError a promise rejects with; fails the test if it resolves. */
export { rejection } from "../../../test/support/rejection.js";

/** How a test client talks to the gateway. */
export type Protocol = "connect-json" | "connect-binary" | "grpc-web";

/** Every protocol the gateway serves through Hono. */
export const protocols: Protocol[] = ["connect-json", "connect-binary", "grpc-web"];

/** Clients of every gateway service. */
export interface Clients {
  tools: Client<typeof ToolService>;
  sessions: Client<typeof SessionService>;
  variables: Client<typeof VariableService>;
  objects: Client<typeof ObjectService>;
  registry: Client<typeof RegistryService>;
  health: Client<typeof Health>;
}

/** API keys every harness provisions. */
export const keys = {
  /** Org "acme", every tool. */
  acme: "key-acme-0123456789abcdef",
  /** Org "acme", only echo and count. */
  limited: "key-limited-0123456789abcdef",
  /** Org "beta", every tool. */
  beta: "key-beta-0123456789abcdef",
} as const;

/** The runtime credential of every harness. */
export const runtimeKey = "runtime-key-0123456789abcdef";

/** A gateway under test. */
export interface Harness {
  gateway: Gateway;
  store: Store;
  /** Sends a request to the app. */
  fetch: typeof fetch;
  /** Clients sending `Authorization: Bearer <key>` (none for null) and any extra headers. */
  clients(key: string | null, protocol?: Protocol, headers?: Record<string, string>): Clients;
  /** Registers a stub runtime through RegistryService. */
  register(stub: StubRuntime, load?: number): Promise<void>;
  close(): Promise<void>;
}

/** Options of startHarness. */
export interface HarnessOptions {
  /** The store; a memory store unless set. */
  store?: Store;
  /** Stub runtimes the gateway may reach. */
  stubs?: StubRuntime[];
  /** More gateway options. */
  gateway?: Partial<GatewayOptions>;
}

/** A gateway with the three keys provisioned, over stubs. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const store = options.store ?? createMemoryStore();
  const stubs = options.stubs ?? [];
  await provisionApiKey(store, keys.acme, { orgId: "acme", allowedTools: "all" });
  await provisionApiKey(store, keys.limited, { orgId: "acme", allowedTools: ["echo", "count"] });
  await provisionApiKey(store, keys.beta, { orgId: "beta", allowedTools: "all" });
  const gateway = createGateway({
    store,
    runtimeTransport: stubTransports(stubs),
    runtimeKey,
    log: silentLogger,
    ...options.gateway,
  });
  const appFetch = ((input: Request | string | URL, init?: RequestInit) =>
    gateway.app.request(input instanceof Request ? input : String(input), init)) as typeof fetch;
  const transportFor = (protocol: Protocol, interceptors: Interceptor[]): Transport => {
    const common = { baseUrl: "http://gateway.test", fetch: appFetch, interceptors };
    if (protocol === "grpc-web") return createGrpcWebTransport(common);
    return createConnectTransport({ ...common, useBinaryFormat: protocol === "connect-binary" });
  };
  const clients = (key: string | null, protocol: Protocol = "connect-binary", headers: Record<string, string> = {}): Clients => {
    const auth: Interceptor = (next) => (req) => {
      if (key !== null) req.header.set("authorization", `Bearer ${key}`);
      for (const [name, value] of Object.entries(headers)) req.header.set(name, value);
      return next(req);
    };
    const transport = transportFor(protocol, [auth]);
    const client = <T extends DescService>(service: T) => createClient(service, transport);
    return {
      tools: client(ToolService),
      sessions: client(SessionService),
      variables: client(VariableService),
      objects: client(ObjectService),
      registry: client(RegistryService),
      health: client(Health),
    };
  };
  return {
    gateway,
    store,
    fetch: appFetch,
    clients,
    async register(stub, load = 0) {
      await clients(runtimeKey).registry.registerRuntime({ runtime: stub.info(load) });
    },
    async close() {
      await gateway.close();
      await store.close();
    },
  };
}
