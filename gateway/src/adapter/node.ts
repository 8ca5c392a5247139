// Node wiring of the web-standard gateway: serving its Hono app with @hono/node-server, and the
// connect-node transports it uses to reach runtimes.
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { getRequestListener } from "@hono/node-server";
import type { Gateway } from "../gateway.js";
import { listenH1H2c } from "./node-listen.js";

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
  const listener = await listenH1H2c({
    host: options.host,
    port: options.port,
    maxMessageBytes: options.maxMessageBytes ?? 10 * 1024 * 1024,
    handler: getRequestListener(gateway.app.fetch),
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
  return {
    transport(baseUrl) {
      if (options.httpVersion === "1.1") {
        return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: true, readMaxBytes, writeMaxBytes: readMaxBytes });
      }
      // One connection per runtime URL, shared by every transport made for it.
      let sessionManager = managers.get(baseUrl);
      if (sessionManager === undefined) {
        sessionManager = new Http2SessionManager(
          baseUrl,
          { pingIntervalMs: 30_000, pingTimeoutMs: 10_000, idleConnectionTimeoutMs: 15 * 60_000 },
          { settings: { initialWindowSize: window } },
        );
        managers.set(baseUrl, sessionManager);
      }
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
