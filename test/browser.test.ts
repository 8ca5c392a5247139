// A browser page on its own origin calls toolbridge with connect-web in real Chromium: directly to a
// runtime with a session token from the gateway (the browser-direct flow), and through the gateway
// with an API key, over gRPC-Web and Connect (JSON and binary), unary, streaming and bytes; and it
// follows a streaming tool through the gateway with a real EventSource and the session token.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./support/browser.js";
import { type BridgeCluster, bridgeKeys, startBridgeCluster } from "./support/bridge-cluster.js";
import type { RuntimeProcess } from "./support/runtime.js";

let cluster: BridgeCluster;
let runtime: RuntimeProcess;
let pageServer: Server;
let pageUrl: string;
let browser: Browser;

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./browser/page.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "chrome120",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0].text;
}

function servePage(script: string): Promise<Server> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>toolbridge</title><script type="module" src="/page.js"></script></head><body></body></html>`;
  const server = createServer((req, res) => {
    const [type, body] = req.url === "/page.js" ? ["text/javascript", script] : ["text/html", html];
    res.writeHead(200, { "content-type": type }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  const [script, started] = await Promise.all([bundlePage(), startBridgeCluster({ store: "memory" })]);
  cluster = started;
  runtime = await cluster.startRuntime(["--module", "examples"]);
  pageServer = await servePage(script);
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pageServer?.close(resolve));
  await cluster?.stop();
});

describe("a browser page on another origin", () => {
  it("calls a runtime directly with a session token and the gateway with a key, over every web transport, and follows a GET stream with EventSource", async () => {
    const clients = cluster.gatewayClients(bridgeKeys.acme);
    const { session } = await clients.sessions.initializeSession({});
    const { session: other } = await clients.sessions.initializeSession({});
    const token = await clients.sessions.createSessionToken({ sessionId: session!.id });
    expect(token.runtimeUrls).toContain(runtime.url);

    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on("pageerror", (err) => consoleErrors.push(err.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => "toolbridgeCheck" in window, undefined, { timeout: 10_000 });
    const config = {
      runtimeUrl: runtime.url,
      gatewayUrl: cluster.gateway.url,
      sessionId: session!.id,
      otherSessionId: other!.id,
      sessionToken: token.token,
      apiKey: bridgeKeys.acme,
    };
    const results = (await page.evaluate(
      (cfg) => (window as unknown as { toolbridgeCheck(c: typeof cfg): Promise<Record<string, unknown>> }).toolbridgeCheck(cfg),
      config,
    )) as Record<string, unknown>;
    await page.close();

    expect(consoleErrors).toEqual([]);
    expect(results.origin).not.toBe(new URL(runtime.url).origin);
    for (const route of ["runtime", "gateway"]) {
      for (const transport of ["grpcWeb", "connectJson", "connectBinary"]) {
        expect(results[`${route}/${transport}`], `${route} over ${transport}`).toEqual({
          reversed: { result: "resworb" },
          chunks: [1, 2, 3],
          final: null,
          bytes: [0, 1, 2, 255],
        });
      }
    }
    const followed = { events: ["chunk", "progress", "chunk", "progress", "chunk", "progress", "result"], chunks: [1, 2, 3], output: null };
    expect(results.eventSource, "an EventSource closed on the result").toEqual(followed);
    expect(results.eventSourceLeftOpen, "an EventSource left open, stopped by the 204 to its reconnection").toEqual({
      ...followed,
      events: [...followed.events, "reconnecting"],
    });
    expect(results.otherSession).toBe("PermissionDenied");
    expect(results.noCredential).toBe("Unauthenticated");
    expect(results.badArgument).toBe("InvalidArgument");
  });
});
