// The gateway's entry point as a process: its start-up line, its failures, and SIGTERM.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { gatewayMain, startGateway } from "../gateway/test/support/gateway-process.js";

function runFailing(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [gatewayMain, ...args], {
    env: { PATH: process.env.PATH, TOOLBRIDGE_GATEWAY_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

describe("the gateway process", () => {
  it("reports its URL on port 0, prints a generated runtime key, and exits 0 on SIGTERM", async () => {
    const gateway = await startGateway({});
    expect(gateway.startLine).toMatch(/^toolbridge gateway listening on http:\/\/127\.0\.0\.1:\d+ \(h1\+h2c\) with the memory store$/);
    const health = await fetch(`${gateway.url}/healthz`);
    expect(await health.json()).toEqual({ status: "serving" });
    expect(await gateway.stop()).toEqual({ code: 0, signal: null });
  });

  it("applies the session limit from the environment", async () => {
    const key = "main-limit-key-0123456789abcdef";
    const gateway = await startGateway({ TOOLBRIDGE_MAX_SESSIONS: "1", TOOLBRIDGE_API_KEYS: `${key}=acme` });
    try {
      const init = (id: string) =>
        fetch(`${gateway.url}/toolbridge.v1.SessionService/InitializeSession`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify({ sessionId: id }),
        });
      expect((await init("one")).status).toBe(200);
      const second = await init("two");
      expect(second.status).toBe(429);
      expect(await second.json()).toMatchObject({ code: "resource_exhausted" });
    } finally {
      await gateway.stop();
    }
  });

  it("fails with one line when Redis cannot be reached", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const result = await runFailing({ TOOLBRIDGE_REDIS_URL: `redis://127.0.0.1:${port}` });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^toolbridge gateway: the session store is unavailable/);
  });

  it("fails with one line on bad configuration or a port in use, never echoing an API key", async () => {
    const bad = await runFailing({ TOOLBRIDGE_API_KEYS: "secret-key-0123456789=bad org" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^toolbridge gateway: invalid configuration: TOOLBRIDGE_API_KEYS entry 1/);
    expect(bad.stderr).not.toContain("secret-key");

    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const port = String((holder.address() as { port: number }).port);
    const busy = await runFailing({ TOOLBRIDGE_GATEWAY_PORT: port });
    await new Promise((resolve) => holder.close(resolve));
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: the address is already in use/);
  });
});
