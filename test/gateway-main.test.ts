// The gateway's entry point as a process: its start-up line, its failures, SIGTERM, and the tool
// modules of TOOLBRIDGE_TOOL_MODULES.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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

describe("the gateway process with TOOLBRIDGE_TOOL_MODULES", () => {
  const fixture = fileURLToPath(new URL("./fixtures/gateway-tool-module.mjs", import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), "toolbridge-gateway-tools-"));
  const module = (name: string, source: string) => {
    const file = join(dir, name);
    writeFileSync(file, source);
    return file;
  };
  const key = "main-tools-key-0123456789abcdef";

  it("serves every module's tools in process: listed, run with the session's variables, their arguments checked", async () => {
    const plain = module("plain.mjs", "export const tools = [{ name: 'shout', description: 'Upper case.', parameters: { type: 'object' }, run: ({ args }) => String(args.text).toUpperCase() }];");
    const gateway = await startGateway({ TOOLBRIDGE_TOOL_MODULES: `${fixture}, ${plain}`, TOOLBRIDGE_API_KEYS: `${key}=acme` });
    try {
      const call = async (method: string, body: object) => {
        const response = await fetch(`${gateway.url}/toolbridge.v1.${method}`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const { body: listed } = await call("ToolService/ListTools", {});
      const tools = listed.tools as { name: string; language: string }[];
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["tally", "shout", "validate_json", "http_get"]));
      expect(tools.find((t) => t.name === "tally")?.language).toBe("typescript");

      expect((await call("SessionService/InitializeSession", { sessionId: "tallies" })).status).toBe(200);
      const first = await call("ToolService/ExecuteTool", { tool: "tally", args: { by: 2 }, sessionId: "tallies" });
      const second = await call("ToolService/ExecuteTool", { tool: "tally", args: { by: 3 }, sessionId: "tallies" });
      expect([first.body.result, second.body.result, second.body.runtimeId]).toEqual([{ total: 2 }, { total: 5 }, "gateway"]);
      const { body: variable } = await call("VariableService/GetVariable", { sessionId: "tallies", name: "tally" });
      expect(variable.variable).toMatchObject({ name: "tally", version: 2 });

      const invalid = await call("ToolService/ExecuteTool", { tool: "tally", args: { by: 0 }, sessionId: "tallies" });
      expect([invalid.status, invalid.body.code]).toEqual([400, "invalid_argument"]);
      expect((await call("ToolService/ExecuteTool", { tool: "shout", args: { text: "hi" } })).body.result).toBe("HI");
    } finally {
      await gateway.stop();
    }
  });

  it.each([
    ["a module that does not exist", () => join(dir, "missing.mjs"), /TOOLBRIDGE_TOOL_MODULES: cannot load TypeScript module .*missing\.mjs: /],
    ["a module that throws on import", () => module("throws.mjs", "throw new Error('no import for you');"), /TOOLBRIDGE_TOOL_MODULES: cannot load TypeScript module .*throws\.mjs: no import for you$/],
    ["a module without a tools array", () => module("no-tools.mjs", "export const tool = {};"), /TOOLBRIDGE_TOOL_MODULES: TypeScript module .*no-tools\.mjs does not export "tools"/],
    [
      "an ill-defined tool",
      () => module("bad.mjs", "export const tools = [{ name: 'bad name', description: '', parameters: {}, run() {} }];"),
      /TOOLBRIDGE_TOOL_MODULES: TypeScript module .*bad\.mjs: tool 'bad name' is ill-defined: its name must be/,
    ],
    [
      "a tool named like a standard tool",
      () => module("clash.mjs", "export const tools = [{ name: 'http_get', description: '', parameters: {}, run() {} }];"),
      /TOOLBRIDGE_TOOL_MODULES: 'http_get' is the name of a standard tool \(TOOLBRIDGE_STANDARD_TOOLS=0 leaves them out\)$/,
    ],
    [
      "a name given twice",
      () => module("twice.mjs", "export const tools = [{ name: 'twin', description: '', parameters: {}, run() {} }, { name: 'twin', description: '', parameters: {}, run() {} }];"),
      /TOOLBRIDGE_TOOL_MODULES: two tools are named 'twin'$/,
    ],
  ])("fails with one line naming the module's problem for %s", async (_what, file, message) => {
    const result = await runFailing({ TOOLBRIDGE_TOOL_MODULES: file() });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^toolbridge gateway: invalid configuration: TOOLBRIDGE_TOOL_MODULES: /);
    expect(lines[0]).toMatch(message);
  });
});
