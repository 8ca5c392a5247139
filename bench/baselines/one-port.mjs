// Cleartext HTTP/1.1 and h2c on one port, the way the runtime serves them (runtime-node/src/server/listen.ts):
// sniff the HTTP/2 preface, TCP_NODELAY, and HTTP/2 flow-control windows sized so one large message crosses in
// one flight.
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";

const PREFACE = Buffer.from("PRI");
const MIB = 1024 * 1024;

/**
 * Listens on host:port and hands each connection to an HTTP/1.1 or an h2c server by its first bytes.
 *
 * Options:
 * - host, port: where to listen (port 0 picks a free one).
 * - onRequest: request listener for HTTP/1.1 requests (and HTTP/2 requests, via the compatibility API).
 * - maxMessageBytes: the largest message, to size HTTP/2 windows as the runtime does.
 *
 * Resolves with the net.Server once listening.
 */
export function listenOnePort({ host = "127.0.0.1", port = 0, onRequest, maxMessageBytes }) {
  const h1 = http.createServer(onRequest);
  h1.keepAliveTimeout = 60_000;
  const window = Math.min(2 ** 31 - 1, Math.max(4 * MIB, maxMessageBytes * 2));
  const h2 = http2.createServer(
    { settings: { initialWindowSize: window }, maxSessionMemory: Math.max(10, Math.ceil((maxMessageBytes * 4) / MIB)) },
    onRequest,
  );
  h2.on("session", (session) => {
    session.on("error", () => {});
    session.once("connect", () => {
      if (!session.destroyed) session.setLocalWindowSize(Math.min(2 ** 31 - 1, window * 2));
    });
  });
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on("error", () => {});
    socket.once("readable", function sniff() {
      const head = socket.read(PREFACE.length);
      if (head === null) {
        socket.once("readable", sniff); // fewer than 3 bytes so far
        return;
      }
      socket.unshift(head);
      (head.equals(PREFACE) ? h2 : h1).emit("connection", socket);
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

/** Prints the line the harness waits for, and exits when the harness closes stdin or sends SIGTERM. */
export function announce(server, name) {
  const { address, port } = server.address();
  process.stdout.write(`${name} listening on http://${address}:${port}\n`);
  // process.exit (not a signal death) lets --cpu-prof write its profile.
  process.on("SIGTERM", () => process.exit(0));
  process.stdin.on("end", () => process.exit(0));
  process.stdin.resume();
}
