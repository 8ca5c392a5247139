import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

/** A request handler that serves both HTTP/1.1 and HTTP/2 (the compatibility API), like connectNodeAdapter's. */
export type RequestHandler = (
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
  handler: RequestHandler;
  /**
   * Sees each HTTP/2 stream first, before Node builds its compatibility request and response; returns true when
   * it answered the stream itself (the unary fast path), false to let `handler` have it.
   */
  http2Stream?: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => boolean;
  /** Largest message, to size HTTP/2 flow-control windows and buffers so that one fits without stalls. */
  maxMessageBytes: number;
}

/** A listening server. */
export interface Listener {
  /** Base URL, e.g. http://127.0.0.1:50051. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** "h1+h2c" or "h1+h2 tls", for the start-up line. */
  readonly protocols: string;
  /** Stops accepting connections and asks open ones to close once idle (HTTP/2 GOAWAY, HTTP/1.1 Connection: close). */
  shutdown(): void;
  /** Closes every connection now. */
  destroy(): Promise<void>;
}

// The HTTP/2 client preface starts with "PRI * HTTP/2.0"; no HTTP/1.1 method does.
const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const mib = 1024 * 1024;

/**
 * Serves one port. Cleartext: HTTP/1.1 and h2c together, by reading the first bytes of each connection and
 * handing the socket to the matching server. TLS: HTTP/2 and HTTP/1.1 chosen by ALPN.
 */
export async function listen(options: ListenOptions): Promise<Listener> {
  const { host, tls, maxMessageBytes } = options;
  let shuttingDown = false;
  const handler: RequestHandler = (req, res) => {
    // HTTP/1.1 has no GOAWAY: while shutting down, each response closes its connection.
    if (shuttingDown && req.httpVersionMajor === 1) res.setHeader("Connection", "close");
    options.handler(req, res);
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
    takeStreamsFirst(secure, options.http2Stream);
    server = secure;
  } else {
    h1 = http.createServer(handler);
    const h2 = http2.createServer(h2Options, handler);
    h2.on("session", onSession);
    takeStreamsFirst(h2, options.http2Stream);
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
    shutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      server.close();
      for (const session of sessions) session.close();
      h1?.closeIdleConnections();
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
  server.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number, rawHeaders: string[]) => {
    if (take(stream, headers)) return;
    for (const listener of compat) listener.call(server, stream, headers, flags, rawHeaders);
  });
}

// A connection must say which protocol it speaks within this time.
const sniffTimeoutMs = 10_000;

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
