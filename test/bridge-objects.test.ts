// The object bridge end to end: a client calls the gateway's ObjectService, which goes to the runtime the session
// is pinned to, which sends the request to the worker holding the session's objects. CleanupSession frees them.
import { Code } from "@connectrpc/connect";
import { fromValue, toValue } from "@toolbridge/proto";
import type { ListValue } from "@bufbuild/protobuf/wkt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BridgeCluster, bridgeKeys, bridgeRuntimeKey, type Clients, clientsOf, startBridgeCluster } from "./support/bridge-cluster.js";
import { pythonDir, type RuntimeProcess } from "./support/runtime.js";
import { rejection } from "./support/rejection.js";

const list = (...values: unknown[]): ListValue =>
  ({ $typeName: "google.protobuf.ListValue", values: values.map((v) => toValue(v as never)) }) as ListValue;

let cluster: BridgeCluster;
let runtime: RuntimeProcess;
let acme: Clients;

beforeAll(async () => {
  cluster = await startBridgeCluster();
  runtime = await cluster.startRuntime([
    "--workers",
    "1",
    "--python-path",
    `${pythonDir}/tests/fixtures`,
    "--object-module",
    "fractions",
    "--object-module",
    "collections",
    "--object-module",
    "decimal",
    "--object-module",
    "bridge_objects",
  ]);
  acme = cluster.gatewayClients(bridgeKeys.acme);
});

afterAll(async () => {
  await cluster?.stop();
});

const newSession = async () => (await acme.sessions.initializeSession({})).session?.id as string;

describe("objects through the gateway", () => {
  it("creates Fraction, Counter and Decimal objects, calls them, reads, lists and deletes them", async () => {
    const sessionId = await newSession();
    const fraction = await acme.objects.createInstance({ sessionId, classPath: "fractions.Fraction", args: list(6, 8) });
    expect(fraction.object?.repr).toBe("Fraction(3, 4)");
    const counter = await acme.objects.createInstance({ sessionId, classPath: "collections.Counter", args: list("abracadabra") });
    const common = await acme.objects.callMethod({ sessionId, handle: counter.object?.handle as string, method: "most_common", args: list(2) });
    expect(common.result?.kind.case === "value" && fromValue(common.result.kind.value)).toEqual([["a", 5], ["b", 2]]);
    const price = await acme.objects.createInstance({ sessionId, classPath: "decimal.Decimal", args: list("19.99") });
    const cents = await acme.objects.createInstance({ sessionId, classPath: "decimal.Decimal", args: list("0.1") });
    const rounded = await acme.objects.callMethod({
      sessionId,
      handle: price.object?.handle as string,
      method: "quantize",
      args: list({ $handle: cents.object?.handle }),
    });
    expect(rounded.result?.kind.case).toBe("object");
    expect(rounded.result?.kind.value).toMatchObject({ classPath: "decimal.Decimal", repr: "Decimal('20.0')" });
    const { state } = await acme.objects.getObject({ sessionId, handle: fraction.object?.handle as string });
    expect(state).toMatchObject({ numerator: 3, denominator: 4 });
    const listed = (await acme.objects.listObjects({ sessionId })).objects.map((o) => o.classPath);
    expect(listed).toEqual(expect.arrayContaining(["fractions.Fraction", "collections.Counter", "decimal.Decimal"]));
    expect((await acme.objects.deleteObject({ sessionId, handle: fraction.object?.handle as string })).deleted).toBe(true);
    expect((await rejection(acme.objects.getObject({ sessionId, handle: fraction.object?.handle as string }))).code).toBe(Code.NotFound);
  });

  it("refuses a module the runtime does not allow, with PERMISSION_DENIED naming --object-module", async () => {
    const sessionId = await newSession();
    const error = await rejection(acme.objects.createInstance({ sessionId, classPath: "os.DirEntry" }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toMatch(/--object-module \(TOOLBRIDGE_OBJECT_MODULES\)/);
  });

  it("describes a module with DiscoverSchema", async () => {
    const { module } = await acme.objects.discoverSchema({ modulePath: "collections" });
    expect(module?.classes.map((c) => c.name)).toEqual(expect.arrayContaining(["Counter", "OrderedDict"]));
  });

  it("frees a session's objects on the runtime when the session is cleaned up", async () => {
    const sessionId = await newSession();
    await acme.objects.createInstance({ sessionId, classPath: "fractions.Fraction", args: list(1, 2) });
    await acme.objects.createInstance({ sessionId, classPath: "collections.Counter" });
    const direct = clientsOf(runtime.url, bridgeRuntimeKey);
    expect((await direct.objects.listObjects({ sessionId })).objects).toHaveLength(2);
    await acme.sessions.cleanupSession({ sessionId });
    expect((await direct.objects.listObjects({ sessionId })).objects).toEqual([]);
  });

  it("fails FAILED_PRECONDITION for an object lost when its worker was SIGKILLed", async () => {
    const sessionId = await newSession();
    const sleeper = await acme.objects.createInstance({ sessionId, classPath: "bridge_objects.Sleeper" });
    const handle = sleeper.object?.handle as string;
    const answer = await acme.objects.callMethod({ sessionId, handle, method: "pid" });
    const pid = answer.result?.kind.case === "value" ? (fromValue(answer.result.kind.value) as number) : 0;
    const ready = runtime.countStderr(/Python worker 0 \(pid \d+\) is ready/);
    process.kill(pid, "SIGKILL");
    await runtime.waitForStderr(new RegExp(`Python worker 0 \\(pid ${pid}\\) was killed by SIGKILL`));
    const error = await rejection(acme.objects.callMethod({ sessionId, handle, method: "pid" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(new RegExp(`lost with their worker: Python worker 0 \\(pid ${pid}\\) ended`));
    // Later sessions use the worker that replaced it.
    await runtime.waitForStderr(/Python worker 0 \(pid \d+\) is ready/, 15_000, ready + 1);
    const next = await newSession();
    expect((await acme.objects.createInstance({ sessionId: next, classPath: "fractions.Fraction", args: list(1, 5) })).object?.repr).toBe("Fraction(1, 5)");
  });
});
