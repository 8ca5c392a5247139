// Clients of the gateway under test, inside workerd: Connect calls go through the Worker's own
// fetch handler (exports.default), and the runtime is registered through RegistryService.
import type { DescService } from "@bufbuild/protobuf";
import { type Client, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { VariableService } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { exports } from "cloudflare:workers";
import { inject } from "vitest";
import { type Announcement, announceRuntime } from "../../runtime-node/src/registry/runtime-announcer.js";

// workerd's fetch does not take connect-web's `redirect: "error"`.
const manual = (fetcher: (request: Request) => Promise<Response>): typeof fetch =>
  ((input: RequestInfo | URL, init?: RequestInit) => fetcher(new Request(input, { ...init, redirect: "manual" }))) as typeof fetch;

/** fetch into the Worker under test, as a request of its own. */
export const gatewayFetch = manual((request) => exports.default.fetch(request));

/** fetch out of workerd (to the runtime on 127.0.0.1). */
export const outboundFetch = manual((request) => fetch(request));

const gatewayUrl = "http://gateway.test";

/** The clients of the gateway's services for one key and one protocol. */
export interface GatewayClients {
  tools: Client<typeof ToolService>;
  sessions: Client<typeof SessionService>;
  variables: Client<typeof VariableService>;
}

/** Clients sending `Authorization: Bearer <key>` (none for null), over Connect (binary or JSON) or gRPC-Web. */
export function clientsFor(key: string | null, protocol: "connect" | "connect-json" | "grpc-web" = "connect"): GatewayClients {
  const auth: Interceptor = (next) => (req) => {
    if (key !== null) req.header.set("authorization", `Bearer ${key}`);
    return next(req);
  };
  const options = { baseUrl: gatewayUrl, fetch: gatewayFetch, interceptors: [auth] };
  const transport: Transport =
    protocol === "grpc-web"
      ? createGrpcWebTransport(options)
      : createConnectTransport({ ...options, useBinaryFormat: protocol === "connect" });
  const client = <T extends DescService>(service: T) => createClient(service, transport);
  return { tools: client(ToolService), sessions: client(SessionService), variables: client(VariableService) };
}

/**
 * Registers the runtime global-setup.ts started, with its own tools, and heartbeats until stopped;
 * `as` registers those tools under another id and URL instead (a runtime that is not there).
 */
export async function registerRuntime(as?: { id: string; url: string }): Promise<Announcement> {
  const runtimeKey = inject("runtimeKey");
  const direct = createClient(ToolService, createConnectTransport({ baseUrl: inject("runtimeUrl"), fetch: outboundFetch }));
  const { tools } = await direct.listTools({}, { headers: { authorization: `Bearer ${runtimeKey}` } });
  const announcement = announceRuntime({
    transport: createConnectTransport({ baseUrl: gatewayUrl, fetch: gatewayFetch }),
    runtimeKey,
    runtime: () => ({
      id: as?.id ?? inject("runtimeId"),
      url: as?.url ?? inject("runtimeUrl"),
      tools,
      capacity: { workers: 1, workerConcurrency: 16, maxQueue: 1024 },
    }),
  });
  await announcement.registered;
  return announcement;
}

/** The registry with the runtime key (or another key). */
export function registryClient(key: string = inject("runtimeKey")): Client<typeof RegistryService> {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${key}`);
    return next(req);
  };
  return createClient(RegistryService, createConnectTransport({ baseUrl: gatewayUrl, fetch: gatewayFetch, interceptors: [auth] }));
}

/** The ConnectError a call rejects with (fails the test if it resolves). */
export async function rejection(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("the call succeeded; it should have failed");
}
