import * as http from "node:http";
import * as http2 from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { type Listener, listen } from "./listen.js";

const open: Listener[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.destroy()));
});

async function serve(options: Partial<Parameters<typeof listen>[0]> = {}): Promise<Listener> {
  const listener = await listen({
    host: "127.0.0.1",
    port: 0,
    maxMessageBytes: 1024,
    handler: (req, res) => res.end(`h${req.httpVersionMajor} ${req.url}`),
    ...options,
  });
  open.push(listener);
  return listener;
}

function getH1(url: string, headers: Record<string, string> = {}): Promise<{ body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (text: string) => (body += text));
        res.on("end", () => resolve({ body, connection: res.headers.connection }));
      })
      .on("error", reject);
  });
}

function getH2(base: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(base);
    session.on("error", reject);
    const stream = session.request({ ":path": path });
    let body = "";
    stream.setEncoding("utf8").on("data", (text: string) => (body += text));
    stream.on("end", () => {
      session.close();
      resolve(body);
    });
    stream.on("error", reject);
  });
}

describe("listen", () => {
  it("serves HTTP/1.1 and h2c on one port, and says so", async () => {
    const listener = await serve();
    expect(listener.url).toBe(`http://127.0.0.1:${listener.port}`);
    expect(listener.protocols).toBe("h1+h2c");
    expect((await getH1(`${listener.url}/one`)).body).toBe("h1 /one");
    expect(await getH2(listener.url, "/two")).toBe("h2 /two");
  });

  it("gives HTTP/2 streams to http2Stream first, and the rest to the handler", async () => {
    const listener = await serve({
      http2Stream(stream, headers) {
        if (headers[":path"] !== "/fast") return false;
        stream.respond({ ":status": 200 });
        stream.end("fast");
        return true;
      },
    });
    expect(await getH2(listener.url, "/fast")).toBe("fast");
    expect(await getH2(listener.url, "/slow")).toBe("h2 /slow");
  });

  it("counts requests in flight and resolves idle once they have ended", async () => {
    let finish: () => void = () => {};
    let arrived: () => void = () => {};
    const inside = new Promise<void>((resolve) => (arrived = resolve));
    const listener = await serve({
      handler: (_req, res) => {
        finish = () => res.end("done");
        arrived();
      },
    });
    const response = getH1(`${listener.url}/held`);
    await inside;
    expect(listener.inFlight()).toBe(1);
    expect(await listener.idle(1)).toBe(false);
    const idle = listener.idle(10_000);
    finish();
    expect((await response).body).toBe("done");
    expect(await idle).toBe(true);
    expect(listener.inFlight()).toBe(0);
  });

  it("closes an HTTP/1.1 connection after the response to a request that came in while shutting down", async () => {
    let arrived: () => void = () => {};
    const inside = new Promise<void>((resolve) => (arrived = resolve));
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const listener = await serve({
      handler: (req, res) => {
        if (req.url !== "/first") return void res.end("second");
        arrived();
        void held.then(() => res.end("first"));
      },
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = (path: string) =>
        new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
          http
            .get(`${listener.url}${path}`, { agent }, (res) => {
              let body = "";
              res.setEncoding("utf8").on("data", (text: string) => (body += text));
              res.on("end", () => resolve({ body, connection: res.headers.connection }));
            })
            .on("error", reject);
        });
      const first = get("/first");
      // Queued behind the first on the agent's one socket: it reaches the server after the shutdown.
      const second = get("/second");
      await inside;
      listener.shutdown();
      release();
      expect(await first).toEqual({ body: "first", connection: "keep-alive" });
      expect(await second).toEqual({ body: "second", connection: "close" });
    } finally {
      agent.destroy();
    }
  });
});
