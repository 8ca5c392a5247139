// Every gateway service through the real gateway process (redis store) and a real runtime, over
// each transport the gateway serves: Connect binary and JSON, gRPC-Web, on HTTP/1.1 and h2c; both
// as the Node gateway serves them (fast paths and connect-node) and through the Hono app alone (as
// on Workers).
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue, toValue } from "@toolbridge/proto";
import { HealthCheckResponse_ServingStatus as Status } from "@toolbridge/proto/gen/grpc/health/v1/health_pb";
import { VariableType, VariableWriteSchema, WatchVariablesResponse_Kind as Kind } from "@toolbridge/proto/gen/toolbridge/v1/variable_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterKeys, clusterRuntimeKey, type GatewayClients, startCluster, transportKinds } from "../gateway/test/support/cluster.js";
import { runtimeIdOf } from "../gateway/test/support/registration.js";
import { pythonDir } from "./support/runtime.js";
import { rejection } from "./support/rejection.js";

let cluster: Cluster;
const testTools = join(pythonDir, "tests/fixtures/test_tools.py");

const text = (name: string, value: string, expectedVersion?: number) =>
  create(VariableWriteSchema, { name, type: VariableType.STRING, content: { case: "value", value: toValue(value) }, expectedVersion });

describe.each(["native", "hono"])("Connect served %s", (mode) => {
  beforeAll(async () => {
    cluster = await startCluster({
      runtimes: [["--workers", "1", "--module", "examples", "--module", testTools]],
      gatewayEnv: { TOOLBRIDGE_GATEWAY_CONNECT: mode },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  describe.each(transportKinds)("through the gateway over $name", (kind) => {
    let c: GatewayClients;
    const sessionId = `s-${kind.name.replace(/[^A-Za-z0-9]+/g, "-")}`;

    beforeAll(() => {
      c = cluster.clients(clusterKeys.acme, kind);
    });

    afterAll(() => {
      c?.close();
    });

    it("lists the runtime's tools and runs one", async () => {
      const { tools } = await c.tools.listTools({});
      expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(["echo", "reverse_text", "count", "sleep"]));
      expect(tools.find((t) => t.name === "reverse_text")?.parameters).toMatchObject({ properties: { text: { type: "string" } } });
      const response = await c.tools.executeTool({ tool: "reverse_text", args: { text: "gateway" }, requestId: "r-1" });
      expect(fromValue(response.result)).toEqual({ result: "yawetag" });
      expect(response).toMatchObject({ requestId: "r-1", runtimeId: runtimeIdOf(cluster.runtimes[0]) });
    });

    it("streams a Python generator's chunks and progress", async () => {
      const cases: string[] = [];
      const chunks: unknown[] = [];
      for await (const message of c.tools.streamTool({ tool: "count", args: { n: 3 } })) {
        cases.push(message.event.case ?? "");
        if (message.event.case === "chunk") chunks.push(fromValue(message.event.value.data));
      }
      expect(chunks).toEqual([1, 2, 3]);
      expect(cases.at(-1)).toBe("result");
      expect(cases.filter((x) => x === "progress")).toHaveLength(3);
    });

    it("passes a Python exception through with its ErrorInfo", async () => {
      const error = await rejection(c.tools.executeTool({ tool: "fail", args: { message: "on purpose" } }));
      expect(error.code).toBe(Code.Internal);
      expect(errorInfoOf(error)).toMatchObject({ type: "RuntimeError", message: expect.stringContaining("on purpose"), tool: "fail" });
    });

    it("ends a stream that raised after some chunks with INTERNAL and its ErrorInfo, after those chunks", async () => {
      const cases: string[] = [];
      const chunks: unknown[] = [];
      const error = await rejection(
        (async () => {
          for await (const message of c.tools.streamTool({ tool: "count_then_raise", args: { n: 2, message: "mid-stream" } })) {
            cases.push(message.event.case ?? "");
            if (message.event.case === "chunk") chunks.push(fromValue(message.event.value.data));
          }
        })(),
      );
      expect(cases).toEqual(["chunk", "chunk"]);
      expect(chunks).toEqual([1, 2]);
      expect(error.code).toBe(Code.Internal);
      const info = errorInfoOf(error);
      expect(info).toMatchObject({ code: "internal", message: "mid-stream", tool: "count_then_raise" });
      expect(info.type).toMatch(/CustomError$/);
      expect(info.traceback).toMatch(/Traceback \(most recent call last\)[\s\S]*raise CustomError\(message\)/);
    });

    it("runs a batch with one failing item, in input order", async () => {
      const { outcomes } = await c.tools.batchExecuteTools({
        calls: [
          { tool: "reverse_text", args: { text: "ab" } },
          { tool: "fail", args: { message: "x" } },
          { tool: "word_count", args: { text: "a b c" } },
        ],
        maxParallel: 2,
      });
      expect(outcomes.map((o) => o.outcome.case)).toEqual(["response", "error", "response"]);
      const last = outcomes[2].outcome;
      expect(last.case === "response" && fromValue(last.value.result)).toEqual({ words: 3 });
    });

    it("keeps a session with variables, watches them, lists, tokens and cleans up", async () => {
      const { session } = await c.sessions.initializeSession({ sessionId, ttlSeconds: 600, variables: [text("greeting", "hello")] });
      expect(session).toMatchObject({ id: sessionId, orgId: "acme", ttlSeconds: 600 });
      expect((await c.sessions.getSession({ sessionId })).session?.id).toBe(sessionId);
      expect((await c.sessions.listSessions({})).sessions.map((s) => s.id)).toContain(sessionId);

      const controller = new AbortController();
      const watch = c.variables.watchVariables({ sessionId, includeInitial: true }, { signal: controller.signal })[Symbol.asyncIterator]();
      expect((await watch.next()).value).toMatchObject({ kind: Kind.INITIAL, variable: { name: "greeting" } });

      const set = await c.variables.setVariable({ sessionId, write: text("greeting", "hi", 1) });
      expect(set.variable?.version).toBe(2);
      expect((await watch.next()).value).toMatchObject({ kind: Kind.SET, variable: { name: "greeting", version: 2 } });
      const stale = await rejection(c.variables.setVariable({ sessionId, write: text("greeting", "late", 1) }));
      expect(stale.code).toBe(Code.Aborted);
      await c.variables.updateVariables({ sessionId, writes: [text("a", "A"), text("b", "B")] });
      expect((await c.variables.getVariable({ sessionId, name: "a" })).variable?.version).toBe(1);
      expect((await c.variables.getVariables({ sessionId, names: ["b", "zz"] })).missing).toEqual(["zz"]);
      expect((await c.variables.deleteVariable({ sessionId, name: "b" })).deleted).toBe(true);
      expect((await c.variables.listVariables({ sessionId })).variables.map((v) => v.name)).toEqual(["a", "greeting"]);
      controller.abort();

      const executed = await c.tools.executeTool({ tool: "echo", args: { x: 1 }, sessionId });
      expect(executed.runtimeId).toBe(runtimeIdOf(cluster.runtimes[0]));
      const { token, runtimeUrls } = await c.sessions.createSessionToken({ sessionId });
      expect(token.split(".")).toHaveLength(3);
      expect(runtimeUrls).toEqual([cluster.runtimes[0].url]);

      expect(await c.sessions.cleanupSession({ sessionId })).toMatchObject({ removed: true, variablesRemoved: 2 });
      expect((await rejection(c.sessions.getSession({ sessionId }))).code).toBe(Code.NotFound);
    });

    it("answers health checks", async () => {
      expect((await c.health.check({ service: "" })).status).toBe(Status.SERVING);
      expect((await c.health.check({ service: "toolbridge.v1.VariableService" })).status).toBe(Status.SERVING);
    });

    it("lists registered runtimes to the runtime credential", async () => {
      const runtimeClients = cluster.clients(clusterRuntimeKey, kind);
      const { runtimes } = await runtimeClients.registry.listRuntimes({});
      expect(runtimes.map((r) => r.url)).toEqual([cluster.runtimes[0].url]);
      runtimeClients.close();
    });
  });
});
