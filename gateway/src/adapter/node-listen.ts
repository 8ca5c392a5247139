import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

/** A handler for both HTTP/1.1 and HTTP/2 (compatibility API) requests. */
export type NodeRequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

/** Options of listenH1H2c. */
export interface ListenOptions {
  /** Address to bind. */
  host: string;
  /** Port; 0 picks a free one. */
  port: number;
  /** Serves every request. */
  handler: NodeRequestHandler;
  /**
   * Sees each HTTP/2 stream first, before Node builds its compatibility request and response; returns
   * true when it answers the stream itself (the fast path), false to leave it to `handler`.
   */
  http2Stream?: (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => boolean;
  /** Largest message, to size HTTP/2 flow-control windows so one crosses without stalls. */
  maxMessageBytes: number;
}

/** A listening server. */
export interface NodeListener {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** Requests being served now. */
  inFlight(): number;
  /** Stops accepting; open connections close once idle (HTTP/2 GOAWAY, HTTP/1.1 Connection: close). */
  shutdown(): void;
  /** Resolves when no request is in flight, or after ms; true when idle. */
  idle(ms: number): Promise<boolean>;
  /** Closes every connection now. */
  destroy(): Promise<void>;
}

// The HTTP/2 client preface starts with "PRI * HTTP/2.0"; no HTTP/1.1 method does.
const preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
const mib = 1024 * 1024;
const sniffTimeoutMs = 10_000;

/**
 * Serves cleartext HTTP/1.1 and h2c on one port: the first bytes of each connection say which it
 * speaks, and the socket goes to the matching server. (An h2c-only server would break HTTP/1.1
 * clients such as curl and browsers' fetch.)
 */
export async function listenH1H2c(options: ListenOptions): Promise<NodeListener> {
  let shuttingDown = false;
  let active = 0;
  let onIdle: (() => void) | undefined;
  const count = (closable: { once(event: "close", listener: () => void): unknown }) => {
    active++;
    closable.once("close", () => {
      active--;
      if (active === 0) onIdle?.();
    });
  };
  const handler: NodeRequestHandler = (req, res) => {
    count(res);
    if (shuttingDown && req.httpVersionMajor === 1) res.setHeader("Connection", "close");
    options.handler(req, res);
  };

  const window = Math.min(2 ** 31 - 1, Math.max(4 * mib, options.maxMessageBytes * 2));
  const h2 = http2.createServer(
    { settings: { initialWindowSize: window }, maxSessionMemory: Math.max(10, Math.ceil((options.maxMessageBytes * 4) / mib)) },
    handler,
  );
  const h1 = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  const take = options.http2Stream;
  if (take !== undefined) {
    // Put `take` in front of the listener through which Node's compatibility layer turns streams
    // into requests: streams it answers never become request objects.
    const compat = h2.listeners("stream") as ((...args: unknown[]) => void)[];
    h2.removeAllListeners("stream");
    h2.on("stream", (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, ...rest: unknown[]) => {
      if (take(stream, headers)) {
        count(stream);
        return;
      }
      for (const listener of compat) listener.call(h2, stream, headers, ...rest);
    });
  }
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => {});
    session.once("connect", () => {
      if (!session.destroyed) session.setLocalWindowSize(Math.min(2 ** 31 - 1, window * 2));
    });
    if (shuttingDown) session.close();
  });
  const server = net.createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    sniff(socket, (isH2) => (isH2 ? h2 : h1).emit("connection", socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    inFlight: () => active,
    shutdown() {
      if (shuttingDown) return;
      shuttingDown = true;
      server.close();
      for (const session of sessions) session.close();
      h1.closeIdleConnections();
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

// Reads until the first bytes tell HTTP/2 from HTTP/1.1, puts them back, and hands the socket on.
function sniff(socket: net.Socket, route: (isH2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const onTimeout = () => socket.destroy();
  socket.setTimeout(sniffTimeoutMs, onTimeout);
  const onData = (chunk: Buffer) => {
    seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const n = Math.min(seen.length, preface.length);
    const isH2 = seen.subarray(0, n).equals(preface.subarray(0, n));
    // A strict prefix of the preface could still be either (e.g. "P"): wait for the rest.
    if (isH2 && n < preface.length) return;
    socket.off("data", onData);
    socket.setTimeout(0);
    socket.off("timeout", onTimeout);
    socket.pause();
    socket.unshift(seen);
    route(isH2);
    if (!isH2) socket.resume();
  };
  socket.on("data", onData);
}
