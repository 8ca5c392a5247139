// Session-scoped tools through the real gateway process (redis store): a client registers tools of its
// "own" runtime (a real runtime with Python workers, registered with the gateway but offering no tools
// of its own) for one session; they are visible and callable there and nowhere else, run on that
// runtime, and go away with the session (CleanupSession, expiry).
import { join } from "node:path";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { fromValue } from "@toolbridge/proto";
import { ToolService, type ToolInfo } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Announcement, announceRuntime } from "../runtime-node/src/registry/runtime-announcer.js";
import { type Cluster, clusterKeys, clusterRuntimeKey, type GatewayClients, startCluster } from "../gateway/test/support/cluster.js";
import { runtimeIdOf } from "../gateway/test/support/registration.js";
import { pythonDir, type RuntimeProcess, startRuntime } from "./support/runtime.js";
import { rejection } from "./support/rejection.js";

let cluster: Cluster;
let own: RuntimeProcess;
let ownAnnouncement: Announcement;
let ownTools: ToolInfo[];
let acme: GatewayClients;
let beta: GatewayClients;

beforeAll(async () => {
  cluster = await startCluster();
  own = await startRuntime({ args: ["--module", join(pythonDir, "tests/fixtures/test_tools.py"), "--workers", "1", "--key", clusterRuntimeKey] });
  const direct = createClient(ToolService, createConnectTransport({ baseUrl: own.url, httpVersion: "1.1" }));
  ownTools = (await direct.listTools({}, { headers: own.headers() })).tools;
  // Registered, so the gateway trusts it with the runtime key, but with no tools anyone else sees.
  ownAnnouncement = announceRuntime({
    transport: createConnectTransport({ baseUrl: cluster.gateway.url, httpVersion: "1.1" }),
    runtimeKey: clusterRuntimeKey,
    runtime: () => ({ id: runtimeIdOf(own), url: own.url, tools: [], capacity: { workers: 1, workerConcurrency: 16, maxQueue: 64 } }),
  });
  await ownAnnouncement.registered;
  acme = cluster.clients(clusterKeys.acme);
  beta = cluster.clients(clusterKeys.beta);
});

afterAll(async () => {
  acme?.close();
  beta?.close();
  await ownAnnouncement?.stop({ deregister: false });
  await own?.stop();
  await cluster?.stop();
});

const toolOf = (name: string) => ownTools.find((t) => t.name === name) as ToolInfo;
const names = async (sessionId: string) => (await acme.tools.listTools({ sessionId })).tools.map((t) => t.name);
const register = (sessionId: string, name: string) => acme.sessions.registerSessionTool({ sessionId, tool: toolOf(name), endpoint: own.url });

describe("session tools end to end", () => {
  it("are visible and callable in their session only, and run on their runtime", async () => {
    await acme.sessions.initializeSession({ sessionId: "st-1" });
    await acme.sessions.initializeSession({ sessionId: "st-2" });
    await register("st-1", "context_info");
    await register("st-2", "worker_pid");

    expect(await names("st-1")).toEqual(expect.arrayContaining(["context_info", "echo", "validate_json"]));
    expect(await names("st-1")).not.toContain("worker_pid");
    expect(await names("st-2")).toContain("worker_pid");
    expect(await names("st-2")).not.toContain("context_info");
    expect(await names("")).not.toContain("context_info");
    expect((await acme.tools.listTools({ sessionId: "st-1" })).tools.find((t) => t.name === "context_info")).toMatchObject({
      sessionScoped: true,
      language: "python",
    });

    const response = await acme.tools.executeTool({ tool: "context_info", sessionId: "st-1" });
    expect(response.runtimeId).toBe(runtimeIdOf(own));
    expect(fromValue(response.result)).toMatchObject({ session_id: "st-1", has_deadline: true });
    expect(typeof fromValue((await acme.tools.executeTool({ tool: "worker_pid", sessionId: "st-2" })).result)).toBe("number");

    for (const [tool, sessionId] of [["context_info", "st-2"], ["context_info", ""], ["worker_pid", "st-1"]]) {
      const error = await rejection(acme.tools.executeTool({ tool, sessionId }));
      expect({ tool, sessionId, code: error.code }).toEqual({ tool, sessionId, code: Code.NotFound });
    }
  });

  it("streams from its runtime in its session", async () => {
    await acme.sessions.initializeSession({ sessionId: "st-stream" });
    await register("st-stream", "async_count");
    const chunks: unknown[] = [];
    for await (const message of acme.tools.streamTool({ tool: "async_count", sessionId: "st-stream", args: { n: 3 } })) {
      if (message.event.case === "chunk") chunks.push(fromValue(message.event.value.data));
    }
    expect(chunks).toEqual([1, 2, 3]);
  });

  it("are hidden from another org, which cannot register into the session either", async () => {
    await acme.sessions.initializeSession({ sessionId: "st-org" });
    await register("st-org", "context_info");
    expect((await rejection(beta.tools.listTools({ sessionId: "st-org" }))).code).toBe(Code.NotFound);
    expect((await rejection(beta.tools.executeTool({ tool: "context_info", sessionId: "st-org" }))).code).toBe(Code.NotFound);
    const intrusion = await rejection(beta.sessions.registerSessionTool({ sessionId: "st-org", tool: toolOf("worker_pid"), endpoint: own.url }));
    expect(intrusion.code).toBe(Code.NotFound);
  });

  it("go away with CleanupSession", async () => {
    await acme.sessions.initializeSession({ sessionId: "st-clean" });
    await register("st-clean", "context_info");
    expect(await names("st-clean")).toContain("context_info");
    await acme.sessions.cleanupSession({ sessionId: "st-clean" });
    await acme.sessions.initializeSession({ sessionId: "st-clean" });
    expect(await names("st-clean")).not.toContain("context_info");
    expect((await rejection(acme.tools.executeTool({ tool: "context_info", sessionId: "st-clean" }))).code).toBe(Code.NotFound);
  });

  it("go away when the session expires", async () => {
    await acme.sessions.initializeSession({ sessionId: "st-expiring", ttlSeconds: 1 });
    await register("st-expiring", "context_info");
    // Redis expires the session's keys after its idle TTL. Watch for it without using the session (which
    // would extend it): ListSessions reads without touching. At most 5 s.
    const deadline = Date.now() + 5000;
    const listed = async () => (await acme.sessions.listSessions({ pageSize: 1000 })).sessions.some((s) => s.id === "st-expiring");
    while ((await listed()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await listed()).toBe(false);
    const expired = await rejection(acme.tools.executeTool({ tool: "context_info", sessionId: "st-expiring" }));
    expect(expired.code).toBe(Code.NotFound);
    expect(expired.rawMessage).toMatch(/^session 'st-expiring' expired: /);
    await acme.sessions.initializeSession({ sessionId: "st-expiring" });
    expect(await names("st-expiring")).not.toContain("context_info");
  });
});
