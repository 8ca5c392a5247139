// Node wiring of the web-standard gateway: serving its Hono app with @hono/node-server, and the
// connect-node transports it uses to reach runtimes.
import type { Transport } from "@connectrpc/connect";
import { connectNodeAdapter, createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { getRequestListener } from "@hono/node-server";
import { listen, type NodeRequestHandler } from "@toolbridge/proto/node";
import type { Gateway } from "../gateway.js";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import { shuttingDown } from "../services/errors.js";
import { createFastExecute, type FastExecute } from "./node-fast-execute.js";
import { createFastUnary } from "./node-fast-unary.js";

/** Options of serveGateway. */
export interface ServeGatewayOptions {
  /** The gateway to serve. */
  gateway: Gateway;
  /** Address to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Largest message, for HTTP/2 windows; 10 MiB unless set. */
  maxMessageBytes?: number;
  /** On close, how long calls in flight may take to finish before they are ended. Default 5000. */
  drainTimeoutMs?: number;
  /**
   * "native" (default): unary binary Connect calls take the fast paths (node-fast-unary.ts, and
   * node-fast-execute.ts with runtimeSessions); other Connect and gRPC-Web calls go to connect-node's
   * adapter (the same services and authorization); everything else (REST, SSE, /healthz, browsers'
   * CORS) to the Hono app. "hono": every request goes through the Hono app, as on Workers.
   */
  connect?: "native" | "hono";
  /**
   * The HTTP/2 connections to runtimes (createNodeRuntimeTransports().session). When given, with
   * native Connect, unary binary Connect ExecuteTool calls take the fast path (node-fast-execute.ts).
   */
  runtimeSessions?: (baseUrl: string) => Http2SessionManager;
}

/** A gateway served on Node. */
export interface GatewayServer {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Stops accepting, lets calls in flight finish (up to drainTimeoutMs), ends the rest, closes connections. */
  close(): Promise<void>;
}

/** Serves a gateway on HTTP/1.1 and h2c (one port) until closed. */
export async function serveGateway(options: ServeGatewayOptions): Promise<GatewayServer> {
  const { gateway } = options;
  const hono: NodeRequestHandler = getRequestListener(gateway.app.fetch);
  let handler: NodeRequestHandler = hono;
  let fast: FastExecute | undefined;
  let http2Stream: ((stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean) | undefined;
  if (options.connect !== "hono") {
    // connect-node reads and writes Node streams directly, without a fetch Request and Response per call.
    const native = connectNodeAdapter({ ...gateway.connect, grpc: false, fallback: hono as never });
    const sessions = options.runtimeSessions;
    fast = sessions === undefined ? undefined : createFastExecute({ core: gateway.core, sessionFor: sessions });
    const unary = createFastUnary({ connect: gateway.connect, core: gateway.core });
    const execute = fast;
    http2Stream = (stream, headers) => (execute?.http2(stream, headers) ?? false) || unary.http2(stream, headers);
    // Browsers' calls carry an Origin and need the CORS headers the Hono app adds.
    handler = (req, res) => {
      if (req.headers.origin !== undefined) return hono(req, res);
      if (req.httpVersionMajor === 1) {
        const h1req = req as IncomingMessage;
        const h1res = res as ServerResponse;
        if (execute?.http1(h1req, h1res) || unary.http1(h1req, h1res)) return;
      }
      native(req, res);
    };
  }
  const listener = await listen({
    host: options.host,
    port: options.port,
    maxMessageBytes: options.maxMessageBytes ?? 10 * 1024 * 1024,
    // Longer than the idle timeouts of the load balancers usually put in front.
    http1KeepAliveMs: 65_000,
    handler,
    http2Stream,
  });
  let closing: Promise<void> | undefined;
  return {
    url: listener.url,
    port: listener.port,
    close() {
      closing ??= (async () => {
        listener.shutdown();
        gateway.drain();
        await listener.idle(options.drainTimeoutMs ?? 5000);
        await gateway.close();
        fast?.cancelAll(shuttingDown());
        // Let the errors of ended calls go out before the sockets close.
        await listener.idle(1000);
        await listener.destroy();
      })();
      return closing;
    },
  };
}

/** Options of createNodeRuntimeTransports. */
export interface NodeRuntimeTransportOptions {
  /** "2" (default): one multiplexed HTTP/2 connection per runtime; "1.1": a keep-alive pool. */
  httpVersion?: "2" | "1.1";
  /** Largest message, to size reads and HTTP/2 windows; 10 MiB unless set. */
  maxMessageBytes?: number;
}

/** Transports to runtimes, and a way to close their connections. */
export interface NodeRuntimeTransports {
  /** The transport for a runtime's base URL (Connect protocol, binary); give it to createGateway. */
  transport(baseUrl: string): Transport;
  /** The HTTP/2 connection to a runtime (for the fast path); undefined with httpVersion "1.1". */
  readonly session: ((baseUrl: string) => Http2SessionManager) | undefined;
  /** Closes every connection. */
  close(): void;
}

const mib = 1024 * 1024;

/** connect-node transports to runtimes, with connections kept alive (PINGs on HTTP/2). */
export function createNodeRuntimeTransports(options: NodeRuntimeTransportOptions = {}): NodeRuntimeTransports {
  const maxMessageBytes = options.maxMessageBytes ?? 10 * mib;
  const readMaxBytes = maxMessageBytes + 64 * 1024;
  const window = Math.min(2 ** 31 - 1, Math.max(4 * mib, maxMessageBytes * 2));
  const managers = new Map<string, Http2SessionManager>();
  // One connection per runtime URL, shared by its transport and the fast path.
  const session = (baseUrl: string): Http2SessionManager => {
    let manager = managers.get(baseUrl);
    if (manager === undefined) {
      manager = new Http2SessionManager(
        baseUrl,
        { pingIntervalMs: 30_000, pingTimeoutMs: 10_000, idleConnectionTimeoutMs: 15 * 60_000 },
        { settings: { initialWindowSize: window } },
      );
      managers.set(baseUrl, manager);
    }
    return manager;
  };
  return {
    session: options.httpVersion === "1.1" ? undefined : session,
    transport(baseUrl) {
      if (options.httpVersion === "1.1") {
        return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true, readMaxBytes, writeMaxBytes: readMaxBytes });
      }
      const sessionManager = session(baseUrl);
      return createConnectTransport({
        baseUrl,
        httpVersion: "2",
        sessionManager,
        useBinaryFormat: true,
        readMaxBytes,
        writeMaxBytes: readMaxBytes,
      });
    },
    close() {
      for (const manager of managers.values()) manager.abort();
      managers.clear();
    },
  };
}
