// CORS for browsers on other origins, and TLS with ALPN.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as h1Request } from "node:http";
import { connect as h2Connect } from "node:http2";
import { tmpdir } from "node:os";
import { connect as tlsConnect } from "node:tls";
import { join } from "node:path";
import { fromValue } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, transportKinds } from "./support/clients.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(url: string, method: string, headers: Record<string, string>, body = ""): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = h1Request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("CORS", () => {
  let runtime: RuntimeProcess;
  let restricted: RuntimeProcess;

  beforeAll(async () => {
    [runtime, restricted] = await Promise.all([
      startRuntime({ args: ["--workers", "1"] }),
      startRuntime({ args: ["--workers", "1", "--cors-origin", "https://app.example", "--cors-origin", "https://b.example"] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([runtime?.stop(), restricted?.stop()]);
  });

  const preflight = (target: RuntimeProcess, origin: string, requestHeaders: string) =>
    send(`${target.url}/toolbridge.v1.ToolService/ExecuteTool`, "OPTIONS", {
      Origin: origin,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": requestHeaders,
    });

  it("answers a Connect preflight from any origin, allowing Authorization", async () => {
    const answer = await preflight(runtime, "https://elsewhere.example", "content-type,connect-protocol-version,authorization");
    expect(answer.status).toBe(204);
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    expect(answer.headers["access-control-allow-methods"]).toMatch(/POST/);
    const allowed = String(answer.headers["access-control-allow-headers"]).toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["content-type", "connect-protocol-version", "authorization"]));
  });

  it("answers a gRPC-Web preflight, allowing its headers", async () => {
    const answer = await preflight(runtime, "https://elsewhere.example", "content-type,x-grpc-web,x-user-agent,grpc-timeout");
    expect(answer.status).toBe(204);
    const allowed = String(answer.headers["access-control-allow-headers"]).toLowerCase().split(/,\s*/);
    expect(allowed).toEqual(expect.arrayContaining(["x-grpc-web", "x-user-agent", "grpc-timeout"]));
  });

  it("exposes grpc-status and the error details on a cross-origin call", async () => {
    const answer = await send(
      `${runtime.url}/toolbridge.v1.ToolService/ExecuteTool`,
      "POST",
      {
        Origin: "https://elsewhere.example",
        "Content-Type": "application/json",
        Authorization: `Bearer ${runtime.key}`,
      },
      JSON.stringify({ tool: "reverse_text", args: { text: "ab" } }),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).result).toEqual({ result: "ba" });
    expect(answer.headers["access-control-allow-origin"]).toBe("*");
    const exposed = String(answer.headers["access-control-expose-headers"]).toLowerCase();
    expect(exposed).toContain("grpc-status");
    expect(exposed).toContain("grpc-message");
    expect(exposed).toContain("grpc-status-details-bin");
  });

  it("allows only the configured origins, echoing the one that asked", async () => {
    const ok = await preflight(restricted, "https://b.example", "content-type,authorization");
    expect(ok.status).toBe(204);
    expect(ok.headers["access-control-allow-origin"]).toBe("https://b.example");
    expect(ok.headers.vary).toBe("Origin");
    const refused = await preflight(restricted, "https://evil.example", "content-type,authorization");
    expect(refused.status).toBe(403);
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("sends no CORS headers to a caller that is not a browser", async () => {
    const answer = await send(`${runtime.url}/toolbridge.v1.ToolService/ListTools`, "POST", {
      "Content-Type": "application/json",
      Authorization: `Bearer ${runtime.key}`,
    }, "{}");
    expect(answer.status).toBe(200);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("TLS", () => {
  let dir: string;
  let cert: Buffer;
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "toolbridge-tls-"));
    execFileSync("openssl", [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1"],
      ...["-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
    ], { stdio: "ignore" });
    cert = readFileSync(join(dir, "cert.pem"));
    runtime = await startRuntime({
      args: ["--workers", "1", "--tls-cert", join(dir, "cert.pem"), "--tls-key", join(dir, "key.pem")],
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("says https and h1+h2 tls on its start-up line", () => {
    expect(runtime.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.startLine).toContain("(h1+h2 tls)");
  });

  it.each(transportKinds)("serves $name over TLS", async (kind) => {
    const clients = connectTo(runtime, kind, { ca: cert });
    try {
      const response = await clients.tools.executeTool({ tool: "reverse_text", args: { text: "tls" } });
      expect(fromValue(response.result)).toEqual({ result: "slt" });
    } finally {
      clients.close();
    }
  });

  it("negotiates h2 and http/1.1 by ALPN", async () => {
    const session = h2Connect(runtime.url, { ca: cert, ALPNProtocols: ["h2"] });
    const protocol = await new Promise<string | false | undefined>((resolve, reject) => {
      session.once("connect", () => resolve(session.alpnProtocol));
      session.once("error", reject);
    });
    session.close();
    expect(protocol).toBe("h2");
    const h1 = await new Promise<string | false | null>((resolve, reject) => {
      const { hostname, port } = new URL(runtime.url);
      const socket = tlsConnect({ host: hostname, port: Number(port), ca: cert, ALPNProtocols: ["http/1.1"] }, () => {
        resolve(socket.alpnProtocol);
        socket.end();
      });
      socket.on("error", reject);
    });
    expect(h1).toBe("http/1.1");
  });
});
