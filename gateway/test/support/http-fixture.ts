// A local HTTP server for http_get's tests: text, JSON, bytes, statuses, redirects, large and
// stalled bodies, and the headers it was sent. Binds 127.0.0.1 on a free port.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** A running fixture server. */
export interface HttpFixture {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** The headers of every request, in order. */
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Resolves once every /hang request so far (at least one) has had its connection closed by its client. */
  hangClosed(): Promise<void>;
  /** Requests in flight now, and the most at once so far (/gauge). */
  readonly gauge: { active: number; peak: number };
  close(): Promise<void>;
}

/**
 * Routes: /text, /json, /bytes, /status/<n>, /redirect?to=<url>&status=<n>, /loop, /big?n=<bytes>
 * (with content-length), /chunked?n=<bytes> (without), /hang (never answers), /headers (echoes
 * them), /gauge?wait=<n> (holds each request until n are in flight at once, or `release` is called).
 */
export async function startHttpFixture(): Promise<HttpFixture> {
  const requests: HttpFixture["requests"] = [];
  const hangs = { opened: 0, closed: 0, waiters: [] as (() => void)[] };
  const hangsSettled = () => hangs.opened > 0 && hangs.closed === hangs.opened;
  const gauge = { active: 0, peak: 0 };
  let waiting: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fixture");
    requests.push({ path: url.pathname, headers: req.headers });
    const [, route, arg] = url.pathname.split("/");
    switch (route) {
      case "text":
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-fixture": "yes" }).end("héllo wörld");
        return;
      case "json":
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
        return;
      case "bytes":
        res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.from([0, 1, 2, 253, 254, 255]));
        return;
      case "status":
        res.writeHead(Number(arg), { "content-type": "text/plain" }).end(`status ${arg}`);
        return;
      case "redirect":
        res.writeHead(Number(url.searchParams.get("status") ?? 302), { location: url.searchParams.get("to") ?? "/text" }).end();
        return;
      case "loop":
        res.writeHead(302, { location: "/loop" }).end();
        return;
      case "big": {
        const n = Number(url.searchParams.get("n"));
        res.writeHead(200, { "content-type": "text/plain", "content-length": String(n) }).end("x".repeat(n));
        return;
      }
      case "chunked": {
        const n = Number(url.searchParams.get("n"));
        res.writeHead(200, { "content-type": "text/plain" });
        for (let i = 0; i < n; i += 1000) res.write("y".repeat(Math.min(1000, n - i)));
        res.end();
        return;
      }
      case "hang":
        hangs.opened++;
        req.socket.once("close", () => {
          hangs.closed++;
          if (hangsSettled()) for (const wake of hangs.waiters.splice(0)) wake();
        });
        return;
      case "headers":
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(req.headers));
        return;
      case "gauge": {
        const wait = Number(url.searchParams.get("wait") ?? 1);
        gauge.active++;
        gauge.peak = Math.max(gauge.peak, gauge.active);
        const answer = () => {
          gauge.active--;
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ peak: gauge.peak }));
        };
        waiting.push(answer);
        if (gauge.active >= wait || url.searchParams.get("last") === "1") {
          const ready = waiting;
          waiting = [];
          for (const go of ready) go();
        }
        return;
      }
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    hangClosed: () => (hangsSettled() ? Promise.resolve() : new Promise<void>((resolve) => hangs.waiters.push(resolve))),
    gauge,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
