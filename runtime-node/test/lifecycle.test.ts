import { mkdtempSync, rmSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Code } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { HealthCheckResponse_ServingStatus as Status } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import type { StreamToolResponse } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childPids, pythonDir, type RuntimeProcess, runFailingRuntime, startRuntime } from "../../test/support/runtime.js";
import { connectTo, type RuntimeClients, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const h2 = transportKinds.find((k) => k.protocol === "connect" && k.httpVersion === "2" && k.binary);
const grpc = transportKinds.find((k) => k.protocol === "grpc");
const grpcWeb = transportKinds.find((k) => k.protocol === "grpc-web");
const fixtures = join(pythonDir, "tests/fixtures");

// True while a process with this pid exists (a zombie too).
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw e;
  }
}

// How a fresh TCP connection to the port ends: "connected", or the error code.
function tcpConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe("SIGTERM", () => {
  it("refuses new connections and calls, finishes the call in flight, and leaves no Python worker behind", async () => {
    const runtime = await startRuntime({ args: ["--module", join(fixtures, "test_tools.py"), "--workers", "2"] });
    const clients = connectTo(runtime, h2);
    const dir = mkdtempSync(join(tmpdir(), "toolbridge-sigterm-"));
    const gate = join(dir, "go");
    try {
      const workers = childPids(runtime);
      expect(workers).toHaveLength(2);
      const chunks: unknown[] = [];
      const cases: string[] = [];
      let stopped: ReturnType<RuntimeProcess["stop"]> | undefined;
      for await (const response of clients.tools.streamTool({ tool: "wait_for_file", args: { path: gate } })) {
        cases.push(response.event.case ?? "");
        if (response.event.case === "chunk") chunks.push(fromValue(response.event.value.data));
        if (stopped !== undefined) continue;
        // "waiting": the call is in flight, and stays so until the gate file exists.
        stopped = runtime.stop("SIGTERM");
        await runtime.waitForStderr(/SIGTERM: draining/);
        expect(await tcpConnect(runtime.port)).toBe("ECONNREFUSED");
        const fresh = connectTo(runtime, transportKinds[0]);
        expect((await rejection(fresh.tools.executeTool({ tool: "echo", args: {} }))).code).toBe(Code.Unavailable);
        fresh.close();
        // A new call on the connection that carries the call in flight is refused too.
        expect((await rejection(clients.tools.executeTool({ tool: "echo", args: {} }))).code).toBe(Code.Unavailable);
        await writeFile(gate, "");
      }
      expect(chunks).toEqual(["waiting", "done"]);
      expect(cases.at(-1)).toBe("result");
      expect(await stopped).toEqual({ code: 0, signal: null });
      expect(workers.filter(exists)).toEqual([]);
    } finally {
      clients.close();
      await runtime.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("drains: the health turns NOT_SERVING, an in-flight call completes, and the process exits 0", async () => {
    const runtime = await startRuntime({ args: ["--workers", "1"] });
    const clients = connectTo(runtime, h2);
    const watcher = connectTo(runtime, grpc);
    try {
      const statuses: Status[] = [];
      const watching = (async () => {
        for await (const r of watcher.health.watch({ service: "" })) statuses.push(r.status);
      })().catch(() => {});
      const events: StreamToolResponse["event"][] = [];
      let stopped: ReturnType<RuntimeProcess["stop"]> | undefined;
      for await (const response of clients.tools.streamTool({ tool: "count", args: { n: 4, delay_ms: 150 } })) {
        events.push(response.event);
        // The first chunk proves the call is in flight; then the runtime is told to stop.
        if (stopped === undefined) stopped = runtime.stop("SIGTERM");
      }
      expect(events.filter((e) => e.case === "chunk").map((e) => e.case === "chunk" && fromValue(e.value.data))).toEqual([
        1, 2, 3, 4,
      ]);
      expect(events.at(-1)?.case).toBe("result");
      expect(await stopped).toEqual({ code: 0, signal: null });
      await watching;
      expect(statuses[0]).toBe(Status.SERVING);
      expect(statuses).toContain(Status.NOT_SERVING);
      expect(runtime.stderr()).toMatch(/SIGTERM: draining/);
    } finally {
      clients.close();
      watcher.close();
      await runtime.stop("SIGKILL");
    }
  });

  it("cancels calls that outlast --drain-timeout-ms and still exits 0", async () => {
    const runtime = await startRuntime({ args: ["--workers", "1", "--drain-timeout-ms", "200"] });
    const clients = connectTo(runtime, h2);
    try {
      const events: StreamToolResponse["event"][] = [];
      let stopped: ReturnType<RuntimeProcess["stop"]> | undefined;
      const error = await rejection(
        (async () => {
          for await (const r of clients.tools.streamTool({ tool: "count", args: { n: 1000, delay_ms: 50 } })) {
            events.push(r.event);
            if (stopped === undefined) stopped = runtime.stop("SIGTERM");
          }
        })(),
      );
      expect([Code.Unavailable, Code.Canceled]).toContain(error.code);
      expect(events.some((e) => e.case === "result")).toBe(false);
      expect(await stopped).toEqual({ code: 0, signal: null });
      expect(runtime.stderr()).toMatch(/1 calls did not finish within 200 ms; cancelling them/);
    } finally {
      clients.close();
      await runtime.stop("SIGKILL");
    }
  });
});

describe("start-up failures", () => {
  it.each([
    ["a module that does not import", ["--module", "no_such_module_xyz"], /no_such_module_xyz/],
    ["a module that raises on import", ["--module", join(fixtures, "broken_import.py")], /broken on purpose/],
    ["an ill-defined tool", ["--module", join(fixtures, "bad_hint.py")], /takes_opaque|Opaque/],
    ["two tools with one name", ["--module", "examples", "--module", join(fixtures, "duplicate_echo.py")], /echo/],
    ["a Python that does not exist", ["--python", "/nonexistent/python3"], /\/nonexistent\/python3" was not found/],
    ["a flag it does not know", ["--wrokers", "2"], /Unknown option '--wrokers'/],
    ["a count that is not a number", ["--workers", "many"], /--workers must be a whole number from 1 to 256 \(got "many"\)/],
    ["a TLS certificate without a key", ["--tls-cert", "/tmp/x.pem"], /TLS needs both --tls-cert and --tls-key/],
  ])("prints one clear line and exits 1 for %s", async (_, args, message) => {
    const result = await runFailingRuntime({ args: args.includes("--workers") ? args : [...args, "--workers", "1"] });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^toolbridge runtime: /);
    expect(lines[0]).toMatch(message);
  });

  it("prints one clear line and exits 1 when the port is in use", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const result = await runFailingRuntime({ args: ["--port", String(port), "--workers", "1"] });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(
        `toolbridge runtime: cannot listen on 127.0.0.1:${port}: the address is already in use`,
      );
    } finally {
      blocker.close();
    }
  });
});

describe("health and auth", () => {
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--workers", "1", "--log-level", "debug"] });
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  it.each([h2, grpc, grpcWeb])("answers Check without a key over $name", async (kind) => {
    const clients = connectTo(runtime, kind, { key: null });
    try {
      expect((await clients.health.check({ service: "" })).status).toBe(Status.SERVING);
      expect((await clients.health.check({ service: "toolbridge.v1.ToolService" })).status).toBe(Status.SERVING);
      const unknown = await rejection(clients.health.check({ service: "nope.Service" }));
      expect(unknown.code).toBe(Code.NotFound);
    } finally {
      clients.close();
    }
  });

  it("streams the status with Watch, SERVICE_UNKNOWN for an unknown service", async () => {
    const clients = connectTo(runtime, grpc, { key: null });
    try {
      const controller = new AbortController();
      for await (const r of clients.health.watch({ service: "" }, { signal: controller.signal })) {
        expect(r.status).toBe(Status.SERVING);
        break;
      }
      for await (const r of clients.health.watch({ service: "nope" }, { signal: controller.signal })) {
        expect(r.status).toBe(Status.SERVICE_UNKNOWN);
        break;
      }
    } finally {
      clients.close();
    }
  });

  it.each(transportKinds.filter((k) => k.httpVersion === "2" || k.protocol === "connect"))(
    "refuses tool calls without a key or with a wrong one over $name",
    async (kind) => {
      for (const key of [null, "wrong-key-0123456789"]) {
        const clients = connectTo(runtime, kind, { key });
        try {
          const error = await rejection(clients.tools.executeTool({ tool: "echo", args: {} }));
          expect(error.code).toBe(Code.Unauthenticated);
          expect((await rejection(clients.tools.listTools({}))).code).toBe(Code.Unauthenticated);
        } finally {
          clients.close();
        }
      }
    },
  );

  it("refuses a malformed Authorization header", async () => {
    const response = await fetch(`${runtime.url}/toolbridge.v1.ToolService/ListTools`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Basic ${runtime.key}` },
      body: "{}",
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: "unauthenticated" });
  });

  it("never logs the key, even at debug level", async () => {
    const clients = connectTo(runtime, h2);
    try {
      await clients.tools.executeTool({ tool: "echo", args: { x: 1 } });
      expect(runtime.stderr()).toMatch(/call tool=echo code=ok/);
      expect(runtime.stderr()).not.toContain(runtime.key);
      expect(runtime.stdout().split(runtime.key as string)).toHaveLength(2);
    } finally {
      clients.close();
    }
  });

  it("accepts the key from --key and keeps it off stdout", async () => {
    const keyed = await startRuntime({ args: ["--workers", "1", "--key", "k-0123456789abcdef"] });
    try {
      expect(keyed.stdout()).not.toContain("k-0123456789abcdef");
      const clients = connectTo(keyed, h2);
      expect(fromValue((await clients.tools.executeTool({ tool: "echo", args: { a: 1 } })).result)).toEqual({ a: 1 });
      clients.close();
    } finally {
      await keyed.stop();
    }
  });

  it("serves without a key with --insecure", async () => {
    const open = await startRuntime({ args: ["--workers", "1", "--insecure"] });
    try {
      expect(open.key).toBeUndefined();
      expect(open.stdout().trim().split("\n")).toHaveLength(1);
      const clients = connectTo(open, h2, { key: null });
      expect(fromValue((await clients.tools.executeTool({ tool: "echo", args: { a: 1 } })).result)).toEqual({ a: 1 });
      clients.close();
    } finally {
      await open.stop();
    }
  });
});
