// Clients of a running runtime through each connect-node transport.
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import {
  createConnectTransport,
  createGrpcTransport,
  createGrpcWebTransport,
  Http2SessionManager,
} from "@connectrpc/connect-node";
import { Health } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import type { RuntimeProcess } from "../../../test/support/runtime.js";

/** A way of reaching the runtime: protocol, encoding and HTTP version. */
export interface TransportKind {
  name: string;
  protocol: "connect" | "grpc" | "grpc-web";
  binary: boolean;
  httpVersion: "1.1" | "2";
}

/** Every transport the runtime must serve on its one port. */
export const transportKinds: TransportKind[] = [
  { name: "Connect binary over HTTP/1.1", protocol: "connect", binary: true, httpVersion: "1.1" },
  { name: "Connect JSON over HTTP/1.1", protocol: "connect", binary: false, httpVersion: "1.1" },
  { name: "Connect binary over HTTP/2", protocol: "connect", binary: true, httpVersion: "2" },
  { name: "Connect JSON over HTTP/2", protocol: "connect", binary: false, httpVersion: "2" },
  { name: "gRPC over HTTP/2", protocol: "grpc", binary: true, httpVersion: "2" },
  { name: "gRPC-Web over HTTP/1.1", protocol: "grpc-web", binary: true, httpVersion: "1.1" },
  { name: "gRPC-Web over HTTP/2", protocol: "grpc-web", binary: true, httpVersion: "2" },
];

/** Options of connectTo. */
export interface ConnectOptions {
  /** Send this key instead of the runtime's. */
  key?: string | null;
  /** Extra node options for the HTTP client (e.g. a CA for TLS). */
  ca?: string | Buffer;
}

/** Clients of one runtime over one transport; `close` ends its HTTP/2 session. */
export interface RuntimeClients {
  tools: Client<typeof ToolService>;
  health: Client<typeof Health>;
  transport: Transport;
  close(): void;
}

/** Clients for a runtime (or a base URL and key) through the given transport. */
export function connectTo(
  target: RuntimeProcess | { url: string; key: string | undefined },
  kind: TransportKind = transportKinds[0],
  options: ConnectOptions = {},
): RuntimeClients {
  const key = options.key === undefined ? target.key : (options.key ?? undefined);
  const auth: Interceptor = (next) => (req) => {
    if (key !== undefined) req.header.set("Authorization", `Bearer ${key}`);
    return next(req);
  };
  const baseUrl = target.url;
  const interceptors = [auth];
  const sessionManager =
    kind.httpVersion === "2"
      ? new Http2SessionManager(baseUrl, {}, options.ca ? { ca: options.ca } : undefined)
      : undefined;
  const common = { baseUrl, interceptors, useBinaryFormat: kind.binary, readMaxBytes: 64 * 1024 * 1024 };
  let transport: Transport;
  if (kind.httpVersion === "2") {
    const h2 = { ...common, httpVersion: "2" as const, sessionManager };
    if (kind.protocol === "grpc") transport = createGrpcTransport(h2);
    else if (kind.protocol === "grpc-web") transport = createGrpcWebTransport(h2);
    else transport = createConnectTransport(h2);
  } else {
    const h1 = { ...common, httpVersion: "1.1" as const, nodeOptions: options.ca ? { ca: options.ca } : undefined };
    if (kind.protocol === "grpc") throw new Error("gRPC needs HTTP/2");
    if (kind.protocol === "grpc-web") transport = createGrpcWebTransport(h1);
    else transport = createConnectTransport(h1);
  }
  return {
    tools: createClient(ToolService, transport),
    health: createClient(Health, transport),
    transport,
    close() {
      if (sessionManager === undefined) return;
      // abort() rejects the pending connection promise of a manager that is (re)connecting; nobody else awaits it.
      const conn = (sessionManager as unknown as { s?: { conn?: unknown } }).s?.conn;
      if (conn instanceof Promise) conn.catch(() => {});
      sessionManager.abort();
    },
  };
}
