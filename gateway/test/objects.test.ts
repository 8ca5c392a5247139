// ObjectService through the gateway, proxied to stub runtimes that keep objects per session.
import { Code } from "@connectrpc/connect";
import { fromValue } from "@toolbridge/proto";
import { afterEach, describe, expect, it } from "vitest";
import { createCallContexts } from "../src/auth/call-context.js";
import { createJwtSigner } from "../src/auth/jwt-signer.js";
import { type Harness, keys, protocols, rejection, runtimeKey, startHarness } from "./support/harness.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";

describe("ObjectService through the gateway", () => {
  let harness: Harness;
  let a: StubRuntime;
  let b: StubRuntime;

  const start = async () => {
    a = createStubRuntime("rt-a", ["echo", "only_a"], 1);
    b = createStubRuntime("rt-b", ["echo"], 2);
    harness = await startHarness({ stubs: [a, b] });
    await harness.register(a);
    await harness.register(b);
    const client = harness.clients(keys.acme);
    await client.sessions.initializeSession({ sessionId: "s-1" });
    return client;
  };
  const holder = (id: string) => (id === "rt-a" ? a : b);

  afterEach(async () => {
    await harness?.close();
  });

  it.each(protocols)("pins a session at its first CreateInstance and keeps its objects' calls there, over %s", async (protocol) => {
    await start();
    const client = harness.clients(keys.acme, protocol);
    const { object } = await client.objects.createInstance({ sessionId: "s-1", classPath: "fractions.Fraction", args: { values: [] } });
    expect(object).toMatchObject({ handle: "obj-1", classPath: "fractions.Fraction" });
    const pinned = (await harness.store.getSession("s-1"))?.runtimeId as string;
    expect(["rt-a", "rt-b"]).toContain(pinned);
    const home = holder(pinned);
    expect(object?.repr).toBe(`fractions.Fraction() on ${pinned}`);
    for (let i = 0; i < 3; i++) {
      const { result } = await client.objects.callMethod({ sessionId: "s-1", handle: "obj-1", method: "limit_denominator" });
      expect(result?.kind.case === "value" && fromValue(result.kind.value)).toEqual({ runtime: pinned, method: "limit_denominator" });
    }
    expect((await client.objects.getObject({ sessionId: "s-1", handle: "obj-1" })).state).toEqual({ runtime: pinned });
    expect((await client.objects.listObjects({ sessionId: "s-1" })).objects.map((o) => o.handle)).toEqual(["obj-1"]);
    expect((await client.objects.deleteObject({ sessionId: "s-1", handle: "obj-1" })).deleted).toBe(true);
    expect(home.objectCalls.map((c) => c.method)).toEqual(["CreateInstance", "CallMethod", "CallMethod", "CallMethod", "GetObject", "ListObjects", "DeleteObject"]);
    expect(home.objectCalls.every((c) => c.authorization === `Bearer ${runtimeKey}` && c.sessionId === "s-1")).toBe(true);
    expect(holder(pinned === "rt-a" ? "rt-b" : "rt-a").objectCalls).toEqual([]);
  });

  it("creates objects on the runtime a tool call pinned the session to", async () => {
    const client = await start();
    expect((await client.tools.executeTool({ tool: "only_a", sessionId: "s-1" })).runtimeId).toBe("rt-a");
    await client.objects.createInstance({ sessionId: "s-1", classPath: "collections.Counter" });
    expect(a.objects.get("s-1")?.size).toBe(1);
    expect(b.objectCalls).toEqual([]);
  });

  it("keeps sessions to their org: another org's session is NOT_FOUND, and nothing reaches a runtime", async () => {
    const client = await start();
    await client.objects.createInstance({ sessionId: "s-1", classPath: "decimal.Decimal" });
    const before = a.objectCalls.length + b.objectCalls.length;
    const beta = harness.clients(keys.beta);
    expect((await rejection(beta.objects.createInstance({ sessionId: "s-1", classPath: "decimal.Decimal" }))).code).toBe(Code.NotFound);
    expect((await rejection(beta.objects.callMethod({ sessionId: "s-1", handle: "obj-1", method: "sqrt" }))).code).toBe(Code.NotFound);
    expect((await rejection(beta.objects.listObjects({ sessionId: "s-1" }))).code).toBe(Code.NotFound);
    expect((await rejection(client.objects.listObjects({ sessionId: "" }))).code).toBe(Code.InvalidArgument);
    expect(a.objectCalls.length + b.objectCalls.length).toBe(before);
  });

  it("lets a runtime's forwarded call reach only the session of the call it serves", async () => {
    const client = await start();
    await client.sessions.initializeSession({ sessionId: "s-2" });
    const contexts = createCallContexts({ signer: createJwtSigner(runtimeKey), ttlMs: 60_000, maxDepth: 8, maxEntries: 10 });
    const context = await contexts.headerFor({ kind: "api-key", orgId: "acme", allowedTools: "all", chain: [] }, "s-1", "py_tool", 1000);
    const forwarded = harness.clients(runtimeKey, "connect-binary", { "toolbridge-call": context });
    await forwarded.objects.createInstance({ sessionId: "s-1", classPath: "fractions.Fraction" });
    expect((await rejection(forwarded.objects.createInstance({ sessionId: "s-2", classPath: "fractions.Fraction" }))).code).toBe(
      Code.PermissionDenied,
    );
  });

  it("answers a session without objects: an empty list, and NOT_FOUND for a handle", async () => {
    const client = await start();
    expect((await client.objects.listObjects({ sessionId: "s-1" })).objects).toEqual([]);
    const error = await rejection(client.objects.callMethod({ sessionId: "s-1", handle: "obj-9", method: "m" }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toBe("session 's-1' has no objects; create one with CreateInstance");
  });

  it("says the objects were lost when the pinned runtime is gone, and creates afresh on a live one", async () => {
    const client = await start();
    await client.objects.createInstance({ sessionId: "s-1", classPath: "fractions.Fraction" });
    const pinned = (await harness.store.getSession("s-1"))?.runtimeId as string;
    await harness.clients(runtimeKey).registry.deregisterRuntime({ runtimeId: pinned });
    for (const call of [
      client.objects.callMethod({ sessionId: "s-1", handle: "obj-1", method: "m" }),
      client.objects.getObject({ sessionId: "s-1", handle: "obj-1" }),
      client.objects.listObjects({ sessionId: "s-1" }),
      client.objects.deleteObject({ sessionId: "s-1", handle: "obj-1" }),
    ]) {
      const error = await rejection(call);
      expect(error.code).toBe(Code.FailedPrecondition);
      expect(error.rawMessage).toBe(`the objects of session 's-1' were lost with runtime '${pinned}', which is gone; create them again (CreateInstance)`);
    }
    const other = pinned === "rt-a" ? "rt-b" : "rt-a";
    await client.objects.createInstance({ sessionId: "s-1", classPath: "fractions.Fraction" });
    expect((await harness.store.getSession("s-1"))?.runtimeId).toBe(other);
    expect(holder(other).objects.get("s-1")?.size).toBe(1);
  });

  it("says the objects were lost when the pinned runtime refuses connections", async () => {
    const client = await start();
    await client.objects.createInstance({ sessionId: "s-1", classPath: "fractions.Fraction" });
    const pinned = (await harness.store.getSession("s-1"))?.runtimeId as string;
    holder(pinned).refuse = true;
    const error = await rejection(client.objects.callMethod({ sessionId: "s-1", handle: "obj-1", method: "m" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/were lost with runtime/);
  });

  it("pins a new session to the next runtime when the first it picks refuses", async () => {
    const client = await start();
    a.refuse = true;
    for (let i = 0; i < 3; i++) {
      const sessionId = `fresh-${i}`;
      await client.sessions.initializeSession({ sessionId });
      await client.objects.createInstance({ sessionId, classPath: "fractions.Fraction" });
      expect((await harness.store.getSession(sessionId))?.runtimeId).toBe("rt-b");
    }
  });

  it("passes a runtime's refusal through with its code", async () => {
    const client = await start();
    const error = await rejection(client.objects.createInstance({ sessionId: "s-1", classPath: "os.Forbidden" }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toBe("'os.Forbidden' is not allowed");
  });

  it("sends DiscoverSchema to any live runtime, the next one when one refuses", async () => {
    const client = await start();
    const { module } = await client.objects.discoverSchema({ modulePath: "fractions" });
    expect(module?.name).toBe("fractions");
    a.refuse = true;
    for (let i = 0; i < 3; i++) expect((await client.objects.discoverSchema({ modulePath: "decimal" })).module?.doc).toBe("described by rt-b");
    b.refuse = true;
    expect((await rejection(client.objects.discoverSchema({ modulePath: "decimal" }))).code).toBe(Code.Unavailable);
  });

  it("frees a session's objects on its runtime when the session is cleaned up", async () => {
    const client = await start();
    await client.objects.createInstance({ sessionId: "s-1", classPath: "fractions.Fraction" });
    const home = holder((await harness.store.getSession("s-1"))?.runtimeId as string);
    expect(home.objects.get("s-1")?.size).toBe(1);
    await client.sessions.cleanupSession({ sessionId: "s-1" });
    expect(home.released).toEqual(["s-1"]);
    expect(home.objects.has("s-1")).toBe(false);
  });

  it("answers UNAVAILABLE for DiscoverSchema with no runtime registered", async () => {
    harness = await startHarness();
    const error = await rejection(harness.clients(keys.acme).objects.discoverSchema({ modulePath: "fractions" }));
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toBe("no runtime is registered with the gateway");
  });
});
