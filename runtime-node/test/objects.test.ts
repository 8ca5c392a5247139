// The object bridge through a real runtime and real Python workers: standard-library classes, handles as
// arguments, results that are not JSON as new objects, the module policy, release, schemas, limits, and objects
// lost with their worker.
import { Code, createClient, type Client } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { ObjectService } from "@toolbridge/proto/gen/toolbridge/v1/object_pb";
import { RuntimeService } from "@toolbridge/proto/gen/toolbridge/v1/runtime_pb";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonDir, type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const key = "object-bridge-test-key-0123456789";
const fixtures = `${pythonDir}/tests/fixtures`;
const allowed = ["fractions", "collections", "decimal", "bridge_objects"].flatMap((m) => ["--object-module", m]);

const list = (...values: unknown[]) => ({ values: values.map((v) => ({ kind: toKind(v) })) }) as never;
function toKind(v: unknown): unknown {
  if (typeof v === "number") return { case: "numberValue", value: v };
  if (typeof v === "string") return { case: "stringValue", value: v };
  if (Array.isArray(v)) return { case: "listValue", value: { values: v.map((x) => ({ kind: toKind(x) })) } };
  if (v !== null && typeof v === "object") {
    return { case: "structValue", value: { fields: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, { kind: toKind(x) }])) } };
  }
  return { case: "nullValue", value: 0 };
}

describe("the object bridge", () => {
  let runtime: RuntimeProcess;
  let objects: Client<typeof ObjectService>;
  let runtimeService: Client<typeof RuntimeService>;

  beforeAll(async () => {
    runtime = await startRuntime({
      args: ["--workers", "2", "--key", key, "--python-path", fixtures, "--max-message-bytes", "65536", ...allowed],
    });
    const { transport } = connectTo(runtime, transportKinds[0]);
    objects = createClient(ObjectService, transport);
    runtimeService = createClient(RuntimeService, transport);
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  it("creates a Fraction, calls its methods (a Fraction result becomes a new object) and reads its state", async () => {
    const { object } = await objects.createInstance({ sessionId: "f", classPath: "fractions.Fraction", args: list(1, 3) });
    expect(object).toMatchObject({ classPath: "fractions.Fraction", repr: "Fraction(1, 3)" });
    expect(object?.handle).toMatch(/^obj-[0-9a-f]{16}$/);
    const handle = object?.handle as string;
    const ratio = await objects.callMethod({ sessionId: "f", handle, method: "as_integer_ratio" });
    expect(ratio.result?.kind.case === "value" && fromValue(ratio.result.kind.value)).toEqual([1, 3]);
    const limited = await objects.callMethod({ sessionId: "f", handle, method: "limit_denominator", args: list(2) });
    expect(limited.result?.kind.case).toBe("object");
    expect(limited.result?.kind.value).toMatchObject({ classPath: "fractions.Fraction", repr: "Fraction(1, 2)" });
    const { state } = await objects.getObject({ sessionId: "f", handle });
    expect(state).toMatchObject({ numerator: 1, denominator: 3 });
  });

  it("keeps a Counter's state across calls and returns JSON-shaped results as JSON", async () => {
    const { object } = await objects.createInstance({ sessionId: "c", classPath: "collections.Counter", args: list(["a", "b", "a"]) });
    const handle = object?.handle as string;
    await objects.callMethod({ sessionId: "c", handle, method: "update", args: list(["c", "a"]) });
    const common = await objects.callMethod({ sessionId: "c", handle, method: "most_common", args: list(1) });
    expect(common.result?.kind.case === "value" && fromValue(common.result.kind.value)).toEqual([["a", 3]]);
    const { state } = await objects.getObject({ sessionId: "c", handle });
    expect(state?.items).toEqual({ a: 3, b: 1, c: 1 });
  });

  it("passes objects as {$handle} arguments: Decimal.quantize with another Decimal", async () => {
    const value = await objects.createInstance({ sessionId: "d", classPath: "decimal.Decimal", args: list("1.25") });
    const exponent = await objects.createInstance({ sessionId: "d", classPath: "decimal.Decimal", args: list("0.1") });
    const quantized = await objects.callMethod({
      sessionId: "d",
      handle: value.object?.handle as string,
      method: "quantize",
      args: list({ $handle: exponent.object?.handle }),
    });
    expect(quantized.result?.kind.value).toMatchObject({ classPath: "decimal.Decimal", repr: "Decimal('1.2')" });
  });

  it("lists and deletes a session's objects, and keeps sessions apart", async () => {
    const a = await objects.createInstance({ sessionId: "l", classPath: "fractions.Fraction", args: list(1, 2) });
    const b = await objects.createInstance({ sessionId: "l", classPath: "fractions.Fraction", args: list(3, 4) });
    const handles = [a.object?.handle, b.object?.handle];
    expect((await objects.listObjects({ sessionId: "l" })).objects.map((o) => o.handle)).toEqual(expect.arrayContaining(handles));
    const other = await rejection(objects.getObject({ sessionId: "someone-else", handle: handles[0] as string }));
    expect(other.code).toBe(Code.NotFound);
    expect((await objects.deleteObject({ sessionId: "l", handle: handles[0] as string })).deleted).toBe(true);
    expect((await objects.deleteObject({ sessionId: "l", handle: handles[0] as string })).deleted).toBe(false);
    expect((await objects.listObjects({ sessionId: "l" })).objects.map((o) => o.handle)).not.toContain(handles[0]);
    expect((await objects.listObjects({ sessionId: "never-used" })).objects).toEqual([]);
  });

  it("refuses a module outside --object-module with PERMISSION_DENIED naming the flag", async () => {
    for (const call of [
      objects.createInstance({ sessionId: "p", classPath: "subprocess.Popen", args: list(["true"]) }),
      objects.discoverSchema({ modulePath: "os" }),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe(Code.PermissionDenied);
      expect(error.rawMessage).toMatch(/is not reachable: add its module .* with --object-module \(TOOLBRIDGE_OBJECT_MODULES\), which allows: fractions, collections, decimal, bridge_objects/);
    }
  });

  it("refuses private and dunder names with PERMISSION_DENIED", async () => {
    const { object } = await objects.createInstance({ sessionId: "p", classPath: "fractions.Fraction", args: list(1, 3) });
    for (const method of ["_richcmp", "__class__"]) {
      const error = await rejection(objects.callMethod({ sessionId: "p", handle: object?.handle as string, method }));
      expect(error.code).toBe(Code.PermissionDenied);
    }
    const module = await rejection(objects.createInstance({ sessionId: "p", classPath: "fractions._private" }));
    expect(module.code).toBe(Code.PermissionDenied);
  });

  it("describes a module with DiscoverSchema", async () => {
    const { module } = await objects.discoverSchema({ modulePath: "fractions" });
    expect(module?.name).toBe("fractions");
    const fraction = module?.classes.find((c) => c.name === "Fraction");
    expect(fraction?.methods.map((m) => m.name)).toContain("limit_denominator");
  });

  it("frees a session's objects with RuntimeService.ReleaseSession and reports how many", async () => {
    await objects.createInstance({ sessionId: "r", classPath: "fractions.Fraction", args: list(1, 2) });
    await objects.createInstance({ sessionId: "r", classPath: "collections.Counter" });
    expect((await runtimeService.releaseSession({ sessionId: "r" })).objectsReleased).toBe(2);
    expect((await objects.listObjects({ sessionId: "r" })).objects).toEqual([]);
    expect((await runtimeService.releaseSession({ sessionId: "r" })).objectsReleased).toBe(0);
  });

  it("ends a method call at its deadline with DEADLINE_EXCEEDED", async () => {
    const { object } = await objects.createInstance({ sessionId: "s", classPath: "bridge_objects.Sleeper" });
    const error = await rejection(objects.callMethod({ sessionId: "s", handle: object?.handle as string, method: "sleep", args: list(2000) }, { timeoutMs: 200 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
  });

  it("refuses arguments over the message limit with RESOURCE_EXHAUSTED", async () => {
    const { object } = await objects.createInstance({ sessionId: "big", classPath: "collections.Counter" });
    const error = await rejection(objects.callMethod({ sessionId: "big", handle: object?.handle as string, method: "update", args: list("x".repeat(100_000)) }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/over the 65536-byte limit/);
  });

  it("lets a session token reach its own session's objects and no other", async () => {
    const token = await sign({ sid: "mine", org: "acme", tools: "*", aud: "toolbridge-session", exp: Math.floor(Date.now() / 1000) + 60 }, key, "HS256");
    const client = createClient(ObjectService, connectTo({ url: runtime.url, key: token }).transport);
    const { object } = await client.createInstance({ sessionId: "mine", classPath: "fractions.Fraction", args: list(2, 4) });
    expect(object?.repr).toBe("Fraction(1, 2)");
    const error = await rejection(client.listObjects({ sessionId: "theirs" }));
    expect(error.code).toBe(Code.PermissionDenied);
  });
});

describe("objects lost with their worker", () => {
  let runtime: RuntimeProcess;
  let objects: Client<typeof ObjectService>;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--workers", "1", "--key", key, "--python-path", fixtures, ...allowed] });
    objects = createClient(ObjectService, connectTo(runtime).transport);
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  it("fail FAILED_PRECONDITION once the worker is SIGKILLed; the session's next CreateInstance starts afresh", async () => {
    await objects.discoverSchema({ modulePath: "decimal" });
    const { object } = await objects.createInstance({ sessionId: "lost", classPath: "bridge_objects.Sleeper" });
    const handle = object?.handle as string;
    const answer = await objects.callMethod({ sessionId: "lost", handle, method: "pid" });
    const pid = answer.result?.kind.case === "value" ? (fromValue(answer.result.kind.value) as number) : 0;
    const restarted = runtime.countStderr(/Python worker 0 \(pid \d+\) is ready/);
    process.kill(pid, "SIGKILL");
    // Schemas are the runtime's: asked again while no worker is up, DiscoverSchema still answers.
    expect((await objects.discoverSchema({ modulePath: "decimal" })).module?.name).toBe("decimal");
    await runtime.waitForStderr(new RegExp(`Python worker 0 \\(pid ${pid}\\) was killed by SIGKILL`));

    for (const call of [
      objects.callMethod({ sessionId: "lost", handle, method: "pid" }),
      objects.getObject({ sessionId: "lost", handle }),
      objects.listObjects({ sessionId: "lost" }),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toBe(
        `the objects of session 'lost' were lost with their worker: Python worker 0 (pid ${pid}) ended; ` +
          "the session's next CreateInstance starts afresh on a live worker",
      );
    }

    await runtime.waitForStderr(/Python worker 0 \(pid \d+\) is ready/, 15_000, restarted + 1);
    const fresh = await objects.createInstance({ sessionId: "lost", classPath: "bridge_objects.Sleeper" });
    const newPid = await objects.callMethod({ sessionId: "lost", handle: fresh.object?.handle as string, method: "pid" });
    expect(newPid.result?.kind.case === "value" && fromValue(newPid.result.kind.value)).not.toBe(pid);
    const stale = await rejection(objects.getObject({ sessionId: "lost", handle }));
    expect(stale.code).toBe(Code.NotFound);
    expect(stale.rawMessage).toContain(`(objects this session created before Python worker 0 (pid ${pid}) ended were lost with it)`);
  });
});
