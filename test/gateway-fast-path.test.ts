// The Node fast path for unary binary Connect ExecuteTool: a gateway served in this process, a real runtime process;
// it must be taken for the calls it speaks, and answer exactly as the Connect path would.
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport, type Http2SessionManager } from "@connectrpc/connect-node";
import { errorInfoOf, fromValue, toValue } from "@toolbridge/proto";
import { Health } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { RegistryService } from "@toolbridge/proto/gen/toolbridge/v1/registry_pb";
import { SessionService } from "@toolbridge/proto/gen/toolbridge/v1/session_pb";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { VariableService, VariableType } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonDir, type RuntimeProcess, startRuntime } from "./support/runtime.js";
import { createNodeRuntimeTransports, type GatewayServer, type NodeRuntimeTransports, serveGateway } from "../gateway/src/adapter/node.js";
import { provisionApiKey } from "../gateway/src/auth/api-keys.js";
import { createGateway } from "../gateway/src/gateway.js";
import { silentLogger } from "../gateway/src/log.js";
import { createMemoryStore } from "../gateway/src/store/memory/memory-store.js";
import type { Store } from "../gateway/src/store/store.js";
import { registerRuntime, runtimeIdOf } from "../gateway/test/support/registration.js";
import { rejection } from "./support/rejection.js";

const runtimeKey = "fast-runtime-key-0123456789abcdef";
const apiKey = "fast-api-key-0123456789abcdef";
const limitedKey = "fast-limited-key-0123456789abcdef";

let runtime: RuntimeProcess;
let store: Store;
let transports: NodeRuntimeTransports;
let server: GatewayServer;
let fastCalls = 0;
let stopAnnouncing: () => Promise<void>;

beforeAll(async () => {
  runtime = await startRuntime({
    args: ["--module", "examples", "--module", join(pythonDir, "tests/fixtures/test_tools.py"), "--workers", "1", "--key", runtimeKey],
    env: { TOOLBRIDGE_LOG_LEVEL: "debug" },
  });
  store = createMemoryStore();
  await provisionApiKey(store, apiKey, { orgId: "acme", allowedTools: "all" });
  await provisionApiKey(store, limitedKey, { orgId: "acme", allowedTools: ["echo"] });
  transports = createNodeRuntimeTransports();
  const gateway = createGateway({ store, runtimeTransport: transports.transport, runtimeKey, log: silentLogger });
  const sessions = transports.session as (url: string) => Http2SessionManager;
  server = await serveGateway({
    gateway,
    host: "127.0.0.1",
    port: 0,
    // Counts the calls that went the fast way: only it asks for a runtime's session this way.
    runtimeSessions: (url) => {
      fastCalls++;
      return sessions(url);
    },
  });
  const announcement = await registerRuntime(server.url, runtimeKey, runtime);
  stopAnnouncing = () => announcement.stop();
});

afterAll(async () => {
  await stopAnnouncing?.();
  await server?.close();
  transports?.close();
  await store?.close();
  await runtime?.stop();
});

const headers = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

describe.each([
  { name: "HTTP/2", httpVersion: "2" as const },
  { name: "HTTP/1.1", httpVersion: "1.1" as const },
])("the ExecuteTool fast path over $name", ({ httpVersion }) => {
  const client = () => createClient(ToolService, createConnectTransport({ baseUrl: server.url, httpVersion, useBinaryFormat: true }));

  it("forwards binary Connect calls as bytes and answers with the runtime's response", async () => {
    const before = fastCalls;
    const response = await client().executeTool({ tool: "reverse_text", args: { text: "fast" }, requestId: "f-1" }, headers(apiKey));
    expect(fromValue(response.result)).toEqual({ result: "tsaf" });
    expect(response).toMatchObject({ requestId: "f-1", runtimeId: runtimeIdOf(runtime) });
    expect(fastCalls).toBe(before + 1);
  });

  it("passes a Python exception through with its ErrorInfo", async () => {
    const error = await rejection(client().executeTool({ tool: "fail", args: { message: "boom" } }, headers(apiKey)));
    expect(error.code).toBe(Code.Internal);
    expect(errorInfoOf(error)).toMatchObject({ type: "RuntimeError", tool: "fail" });
  });

  it("refuses a missing key, a disallowed tool and an unknown tool before reaching a runtime", async () => {
    const before = fastCalls;
    expect((await rejection(client().executeTool({ tool: "echo" }))).code).toBe(Code.Unauthenticated);
    const denied = await rejection(client().executeTool({ tool: "reverse_text", args: { text: "x" } }, headers(limitedKey)));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(errorInfoOf(denied)).toMatchObject({ code: "permission_denied", tool: "reverse_text" });
    const unknown = await rejection(client().executeTool({ tool: "nope" }, headers(apiKey)));
    expect(unknown.code).toBe(Code.NotFound);
    expect(fastCalls).toBe(before);
  });

  it("applies the caller's deadline, and the runtime stops the tool", async () => {
    // Python stops it when told to cancel, or ends it itself at the deadline it was given, whichever comes first.
    const stopped = /ended cancelled call|call tool=sleep code=deadline_exceeded/;
    const seen = runtime.countStderr(stopped);
    const error = await rejection(client().executeTool({ tool: "sleep", args: { ms: 20_000 } }, { ...headers(apiKey), timeoutMs: 200 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    await runtime.waitForStderr(stopped, 15_000, seen + 1);
  });

  it("cancels the runtime's call when the client goes away", async () => {
    const seen = runtime.countStderr(/ended cancelled call/);
    const controller = new AbortController();
    const waiting = client().executeTool({ tool: "wait_for_cancel", args: { limit_ms: 20_000 } }, { ...headers(apiKey), signal: controller.signal });
    // One worker runs calls in order: once this answers, wait_for_cancel is running.
    await client().executeTool({ tool: "worker_pid", args: {} }, headers(apiKey));
    controller.abort();
    expect((await rejection(waiting)).code).toBe(Code.Canceled);
    await runtime.waitForStderr(/ended cancelled call/, 15_000, seen + 1);
  });
});

describe("the unary fast path for the other services", () => {
  const binary = (key?: string) => {
    const transport = createConnectTransport({ baseUrl: server.url, httpVersion: "2", useBinaryFormat: true });
    return {
      sessions: createClient(SessionService, transport),
      variables: createClient(VariableService, transport),
      registry: createClient(RegistryService, transport),
      health: createClient(Health, transport),
      opts: key === undefined ? {} : headers(key),
    };
  };

  it("applies each service's authorization", async () => {
    const anonymous = binary();
    expect((await rejection(anonymous.variables.getVariable({ sessionId: "x", name: "y" }))).code).toBe(Code.Unauthenticated);
    expect((await anonymous.health.check({ service: "" })).status).toBe(1);
    const api = binary(apiKey);
    expect((await rejection(api.registry.listRuntimes({}, api.opts))).code).toBe(Code.PermissionDenied);
    const runtimeCaller = binary(runtimeKey);
    expect((await runtimeCaller.registry.listRuntimes({}, runtimeCaller.opts)).runtimes.map((r) => r.id)).toEqual([runtimeIdOf(runtime)]);
  });

  it("keeps sessions and variables to their org", async () => {
    const acme = binary(apiKey);
    await acme.sessions.initializeSession({ sessionId: "fast-s", variables: [{ name: "n", type: VariableType.INTEGER, content: { case: "value", value: toValue(1) } }] }, acme.opts);
    const got = await acme.variables.getVariable({ sessionId: "fast-s", name: "n" }, acme.opts);
    expect(got.variable?.version).toBe(1);
    await provisionApiKey(store, "fast-other-org-0123456789abcdef", { orgId: "other", allowedTools: "all" });
    const other = binary("fast-other-org-0123456789abcdef");
    const error = await rejection(other.variables.getVariable({ sessionId: "fast-s", name: "n" }, other.opts));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toBe("session 'fast-s' does not exist; initialize a new session");
  });

  it("refuses a body that is not the method's message with INVALID_ARGUMENT", async () => {
    const response = await fetch(`${server.url}/toolbridge.v1.VariableService/GetVariable`, {
      method: "POST",
      headers: { "content-type": "application/proto", authorization: `Bearer ${apiKey}` },
      body: new Uint8Array([0x0a, 0xff, 0xff, 0xff]),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "invalid_argument" });
  });
});

describe("calls the fast path leaves to connect", () => {
  it("serves JSON and gRPC-Web the ordinary way", async () => {
    const before = fastCalls;
    const json = createClient(ToolService, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: false }));
    expect(fromValue((await json.executeTool({ tool: "reverse_text", args: { text: "ab" } }, headers(apiKey))).result)).toEqual({ result: "ba" });
    const web = createClient(ToolService, createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1" }));
    expect(fromValue((await web.executeTool({ tool: "reverse_text", args: { text: "cd" } }, headers(apiKey))).result)).toEqual({ result: "dc" });
    expect(fastCalls).toBe(before);
  });
});
