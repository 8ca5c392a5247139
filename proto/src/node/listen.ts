import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

// The one port the gateway (on Node) and the runtimes serve: HTTP/1.1 and HTTP/2 together, HTTP/2 sized for
// large messages, and a shutdown that drains before it destroys.

/** A request handler for both HTTP/1.1 and HTTP/2 (the compatibility API), like connectNodeAdapter's. */
export type NodeRequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** Options of listen. */
export interface ListenOptions {
  /** Address to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** PEM certificate and key: serve TLS with ALPN (h2, http/1.1) instead of cleartext h1 + h2c. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Serves every request. */
  handler: NodeRequestHandler;
  /**
   * Sees each HTTP/2 stream first, before Node builds its compatibility request and response; returns true when
   * it answered the stream itself (a unary fast path), false to let `handler` have it.
   */
  http2Stream?: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => boolean;
  /** Largest message, to size HTTP/2 flow-control windows and buffers so that one fits without stalls. */
  maxMessageBytes: number;
  /** How long an idle HTTP/1.1 connection is kept open (cleartext); Node's default (5 s) unless set. */
  http1KeepAliveMs?: number;
}

/** A listening server. */
export interface Listener {
  /** Base URL, e.g. http://127.0.0.1:50051. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** "h1+h2c" or "h1+h2 tls", for the start-up line. */
  readonly protocols: string;
  /** Requests (and HTTP/2 streams answered by `http2Stream`) being served now. */
  inFlight(): number;
  /** Stops accepting connections and asks open ones to close once idle (HTTP/2 GOAWAY, HTTP/1.1 Connection: close). */
  shutdown(): void;
  /** Resolves when no request is in flight, or after `ms`; true when idle. */
  idle(ms: number): Promise<boolean>;
  /** Closes every connection now. */
  destroy(): Promise<void>;
}

// The HTTP/2 client preface starts with "PRI * HTTP/2.0"; no HTTP/1.1 method does.
const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const mib = 1024 * 1024;
// A connection must say which protocol it speaks within this time.
const sniffTimeoutMs = 10_000;

/**
 * Serves one port. Cleartext: HTTP/1.1 and h2c together, by reading the first bytes of each connection and
 * handing the socket to the matching server (an h2c-only server would break HTTP/1.1 clients such as curl and
 * browsers' fetch). TLS: HTTP/2 and HTTP/1.1 chosen by ALPN.
 */
export async function listen(options: ListenOptions): Promise<Listener> {
  const { host, tls, maxMessageBytes } = options;
  let shuttingDown = false;
  let active = 0;
  let onIdle: (() => void) | undefined;
  const ended = () => {
    if (--active === 0) onIdle?.();
  };
  const count = (closable: { once(event: "close", listener: () => void): unknown }) => {
    active++;
    closable.once("close", ended);
  };
  const handler: NodeRequestHandler = (req, res) => {
    count(res);
    // HTTP/1.1 has no GOAWAY: while shutting down, each response closes its connection.
    if (shuttingDown && req.httpVersionMajor === 1) res.setHeader("Connection", "close");
    options.handler(req, res);
  };
  const take = options.http2Stream;
  const http2Stream =
    take === undefined
      ? undefined
      : (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
          if (!take(stream, headers)) return false;
          count(stream);
          return true;
        };

  // Large windows let a 10 MiB message cross in one flight instead of waiting on WINDOW_UPDATEs.
  const window = Math.min(2 ** 31 - 1, Math.max(4 * mib, maxMessageBytes * 2));
  const h2Options: http2.ServerOptions = {
    settings: { initialWindowSize: window },
    maxSessionMemory: Math.max(10, Math.ceil((maxMessageBytes * 4) / mib)),
  };
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const onSession = (session: http2.ServerHttp2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => {});
    session.once("connect", () => {
      if (!session.destroyed) session.setLocalWindowSize(Math.min(2 ** 31 - 1, window * 2));
    });
    if (shuttingDown) session.close();
  };

  let server: net.Server;
  let h1: http.Server | undefined;
  if (tls !== undefined) {
    const secure = http2.createSecureServer({ ...h2Options, ...tls, allowHTTP1: true, ALPNProtocols: ["h2", "http/1.1"] });
    secure.on("request", handler);
    secure.on("session", onSession);
    secure.on("secureConnection", track);
    takeStreamsFirst(secure, http2Stream);
    server = secure;
  } else {
    h1 = http.createServer(options.http1KeepAliveMs === undefined ? {} : { keepAliveTimeout: options.http1KeepAliveMs }, handler);
    const h2 = http2.createServer(h2Options, handler);
    h2.on("session", onSession);
    takeStreamsFirst(h2, http2Stream);
    const plain = h1;
    server = net.createServer({ noDelay: true }, (socket) => {
      track(socket);
      socket.on("error", () => {});
      sniff(socket, (isH2) => (isH2 ? h2 : plain).emit("connection", socket));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `${tls ? "https" : "http"}://${shownHost}:${address.port}`,
    port: address.port,
    protocols: tls ? "h1+h2 tls" : "h1+h2c",
    inFlight: () => active,
    shutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      server.close();
      for (const session of sessions) session.close();
      h1?.closeIdleConnections();
    },
    idle(ms) {
      if (active === 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        onIdle = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
    },
    async destroy() {
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.destroy();
      for (const socket of sockets) socket.destroy();
      if (server.listening) await closed;
    },
  };
}

// Puts `take` in front of the listener through which Node's compatibility layer turns streams into requests
// (installed when a "request" listener exists): streams it takes never become request objects.
function takeStreamsFirst(
  server: http2.Http2Server | http2.Http2SecureServer,
  take: ListenOptions["http2Stream"],
): void {
  if (take === undefined) return;
  const compat = server.listeners("stream") as ((...args: unknown[]) => void)[];
  if (compat.length === 0) return; // not the Node this was written for: everything goes through the handler
  server.removeAllListeners("stream");
  server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
    if (take(stream, headers)) return;
    for (const listener of compat) listener.call(server, stream, headers, ...rest);
  });
}

// Reads until the first bytes tell HTTP/2 from HTTP/1.1, puts them back, and hands the socket on.
function sniff(socket: net.Socket, route: (isH2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const onTimeout = () => socket.destroy();
  socket.setTimeout(sniffTimeoutMs, onTimeout);
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, preface.length);
    const isH2 = seen.subarray(0, n).equals(preface.subarray(0, n));
    // A strict prefix of the preface could still be either (e.g. "P"): wait for more unless it is whole.
    if (isH2 && n < preface.length) return;
    socket.off("data", onData);
    socket.setTimeout(0, onTimeout);
    socket.off("timeout", onTimeout);
    socket.pause();
    socket.unshift(seen);
    route(isH2);
    // The HTTP/1.1 parser reads the bytes put back through the stream; HTTP/2 picks them up by itself.
    if (!isH2) socket.resume();
  };
  socket.on("data", onData);
}
