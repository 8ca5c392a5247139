// The gateway's ObjectService over two real runtimes with Python workers (redis store): a session's objects
// stay on the runtime it is pinned to (by its first CreateInstance, or by a tool call before it), sessions
// are isolated by org, and a session whose runtime died is told its objects were lost, then starts afresh
// on the runtime that is left. (The object bridge itself is test/bridge-objects.test.ts.)
import type { ListValue } from "@bufbuild/protobuf/wkt";
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { fromValue, toValue } from "@toolbridge/proto";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { afterEach, describe, expect, it } from "vitest";
import { type Cluster, clusterKeys, clusterRuntimeKey, startCluster, transportKinds } from "../gateway/test/support/cluster.js";
import { runtimeIdOf } from "../gateway/test/support/registration.js";
import type { RuntimeProcess } from "./support/runtime.js";
import { rejection } from "./support/rejection.js";

let cluster: Cluster | undefined;

afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const list = (...values: unknown[]): ListValue =>
  ({ $typeName: "google.protobuf.ListValue", values: values.map((v) => toValue(v as never)) }) as ListValue;

const runtimeArgs = ["--workers", "1", "--object-module", "fractions", "--object-module", "collections", "--object-module", "decimal"];
const twoRuntimes = { runtimes: [runtimeArgs, runtimeArgs] };

/** The handles a runtime itself holds for a session (asked directly, with the runtime key). */
async function heldBy(runtime: RuntimeProcess, sessionId: string): Promise<string[]> {
  const objects = createClient(ObjectService, createConnectTransport({ baseUrl: runtime.url, httpVersion: "1.1" }));
  const { objects: held } = await objects.listObjects({ sessionId }, { headers: { authorization: `Bearer ${clusterRuntimeKey}` } });
  return held.map((o) => o.handle);
}

describe("ObjectService through the gateway", () => {
  it("keeps each session's objects on one runtime and every later call there", async () => {
    cluster = await startCluster(twoRuntimes);
    const c = cluster.clients(clusterKeys.acme);
    const homes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const sessionId = `obj-${i}`;
      await c.sessions.initializeSession({ sessionId });
      const { object } = await c.objects.createInstance({ sessionId, classPath: "fractions.Fraction", args: list(i + 1, 7) });
      const handle = object?.handle as string;
      const [a, b] = await Promise.all(cluster.runtimes.map((r) => heldBy(r, sessionId)));
      expect([a, b].filter((held) => held.includes(handle))).toHaveLength(1);
      homes.add(a.includes(handle) ? "a" : "b");
      for (let n = 0; n < 3; n++) {
        const ratio = await c.objects.callMethod({ sessionId, handle, method: "as_integer_ratio" });
        expect(ratio.result?.kind.case === "value" && fromValue(ratio.result.kind.value)).toEqual([i + 1, 7]);
      }
      await c.objects.createInstance({ sessionId, classPath: "collections.Counter", args: list("aab") });
      expect((await c.objects.listObjects({ sessionId })).objects.map((o) => o.classPath)).toEqual(
        expect.arrayContaining(["fractions.Fraction", "collections.Counter"]),
      );
    }
    // Sessions spread over both runtimes (least loaded first, taking turns).
    expect([...homes].sort()).toEqual(["a", "b"]);
    c.close();
  });

  it("creates a session's objects where its tool calls already run", async () => {
    cluster = await startCluster(twoRuntimes);
    const c = cluster.clients(clusterKeys.acme);
    await c.sessions.initializeSession({ sessionId: "tools-first" });
    const served = (await c.tools.executeTool({ tool: "echo", sessionId: "tools-first" })).runtimeId;
    const { object } = await c.objects.createInstance({ sessionId: "tools-first", classPath: "decimal.Decimal", args: list("2.5") });
    const home = cluster.runtimes.find((r) => runtimeIdOf(r) === served) as RuntimeProcess;
    expect(await heldBy(home, "tools-first")).toEqual([object?.handle]);
    c.close();
  });

  it.each(transportKinds.filter((k) => k.name.startsWith("gRPC-Web") || k.name === "Connect JSON over HTTP/1.1"))(
    "serves objects over $name, and hides them from another org",
    async (kind) => {
      cluster = await startCluster({ runtimes: [runtimeArgs] });
      const c = cluster.clients(clusterKeys.acme, kind);
      await c.sessions.initializeSession({ sessionId: "mine" });
      const { object } = await c.objects.createInstance({ sessionId: "mine", classPath: "collections.Counter", args: list("abracadabra") });
      const common = await c.objects.callMethod({ sessionId: "mine", handle: object?.handle as string, method: "most_common", args: list(1) });
      expect(common.result?.kind.case === "value" && fromValue(common.result.kind.value)).toEqual([["a", 5]]);
      const beta = cluster.clients(clusterKeys.beta, kind);
      for (const call of [
        beta.objects.callMethod({ sessionId: "mine", handle: object?.handle as string, method: "most_common" }),
        beta.objects.listObjects({ sessionId: "mine" }),
        beta.objects.createInstance({ sessionId: "mine", classPath: "collections.Counter" }),
      ]) {
        expect((await rejection(call)).code).toBe(Code.NotFound);
      }
      c.close();
      beta.close();
    },
  );

  it("says the objects were lost when their runtime died, and starts afresh on the one left", async () => {
    cluster = await startCluster(twoRuntimes);
    const c = cluster.clients(clusterKeys.acme);
    await c.sessions.initializeSession({ sessionId: "doomed" });
    const { object } = await c.objects.createInstance({ sessionId: "doomed", classPath: "fractions.Fraction", args: list(1, 3) });
    const handle = object?.handle as string;
    const held = await Promise.all(cluster.runtimes.map((r) => heldBy(r, "doomed")));
    const victim = cluster.runtimes[held[0].includes(handle) ? 0 : 1];
    const survivor = cluster.runtimes[held[0].includes(handle) ? 1 : 0];
    await victim.stop("SIGKILL");

    // Still registered (its registration has not expired), but refusing connections: the objects are gone.
    const lost = await rejection(c.objects.callMethod({ sessionId: "doomed", handle, method: "as_integer_ratio" }));
    expect(lost.code).toBe(Code.FailedPrecondition);
    expect(lost.rawMessage).toBe(
      `the objects of session 'doomed' were lost with runtime '${runtimeIdOf(victim)}', which is gone; create them again (CreateInstance)`,
    );
    expect((await rejection(c.objects.listObjects({ sessionId: "doomed" }))).code).toBe(Code.FailedPrecondition);

    // A new object goes to the runtime that is left, and later calls find it there.
    const fresh = await c.objects.createInstance({ sessionId: "doomed", classPath: "fractions.Fraction", args: list(2, 3) });
    expect(await heldBy(survivor, "doomed")).toEqual([fresh.object?.handle]);
    const ratio = await c.objects.callMethod({ sessionId: "doomed", handle: fresh.object?.handle as string, method: "as_integer_ratio" });
    expect(ratio.result?.kind.case === "value" && fromValue(ratio.result.kind.value)).toEqual([2, 3]);
    expect((await c.objects.discoverSchema({ modulePath: "fractions" })).module?.classes.map((k) => k.name)).toContain("Fraction");
    c.close();
  });
});
