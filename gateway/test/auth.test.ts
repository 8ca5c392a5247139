import { Code } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import { verify } from "hono/jwt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCallContexts } from "../src/auth/call-context.js";
import { createJwtSigner } from "../src/auth/jwt-signer.js";
import type { Principal } from "../src/auth/principal.js";
import { createMemoryStore } from "../src/store/memory/memory-store.js";
import type { Store } from "../src/store/store.js";
import { type Harness, keys, protocols, rejection, runtimeKey, startHarness } from "./support/harness.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";

describe("authentication and permissions", () => {
  let harness: Harness;
  let stub: StubRuntime;
  let store: Store;
  let keyLookups: number;

  beforeEach(async () => {
    stub = createStubRuntime("rt-a", ["echo", "count", "secret"]);
    store = createMemoryStore();
    keyLookups = 0;
    const getApiKey = store.getApiKey.bind(store);
    store.getApiKey = (hash) => {
      keyLookups++;
      return getApiKey(hash);
    };
    harness = await startHarness({ store, stubs: [stub] });
    await harness.register(stub);
  });

  afterEach(async () => {
    await harness.close();
  });

  it.each(protocols)("refuses a call without a key with UNAUTHENTICATED over %s", async (protocol) => {
    const error = await rejection(harness.clients(null, protocol).tools.executeTool({ tool: "echo" }));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toMatch(/missing credentials/);
    expect(stub.calls).toHaveLength(0);
  });

  it("refuses an unknown key and a malformed header with UNAUTHENTICATED", async () => {
    expect((await rejection(harness.clients("key-unknown-0123456789").tools.listTools({}))).code).toBe(Code.Unauthenticated);
    const malformed = await rejection(harness.clients(null, "connect-json", { authorization: "Basic abc" }).tools.listTools({}));
    expect(malformed.code).toBe(Code.Unauthenticated);
    expect(malformed.rawMessage).toMatch(/malformed/);
  });

  it("stores keys hashed: the store never holds a key", async () => {
    const hashes = await Promise.all(Object.values(keys).map(async (key) => (await store.getApiKey(key)) === undefined));
    expect(hashes).toEqual([true, true, true]);
  });

  it("denies a tool outside the key's allowlist with PERMISSION_DENIED before it reaches a runtime", async () => {
    const error = await rejection(harness.clients(keys.limited).tools.executeTool({ tool: "secret", args: {} }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(errorInfoOf(error)).toMatchObject({ code: "permission_denied", tool: "secret" });
    const streamed = await rejection(
      (async () => {
        for await (const _ of harness.clients(keys.limited).tools.streamTool({ tool: "secret" }));
      })(),
    );
    expect(streamed.code).toBe(Code.PermissionDenied);
    expect(stub.calls).toHaveLength(0);
    const allowed = await harness.clients(keys.limited).tools.executeTool({ tool: "echo", args: {} });
    expect(allowed.runtimeId).toBe("rt-a");
  });

  it("lists only the tools the key may call", async () => {
    const { tools } = await harness.clients(keys.limited).tools.listTools({});
    expect(tools.map((t) => t.name)).toEqual(["count", "echo"]);
  });

  it("denies each disallowed batch item alone", async () => {
    const { outcomes } = await harness.clients(keys.limited).tools.batchExecuteTools({
      calls: [{ tool: "echo" }, { tool: "secret" }, { tool: "count" }],
    });
    expect(outcomes.map((o) => o.outcome.case)).toEqual(["response", "error", "response"]);
    expect(outcomes[1].outcome.value).toMatchObject({ code: "permission_denied", tool: "secret" });
    expect(stub.calls.map((c) => c.tool).sort()).toEqual(["count", "echo"]);
  });

  it("looks a key up in the store once, not on every call", async () => {
    const client = harness.clients(keys.acme);
    for (let i = 0; i < 5; i++) await client.tools.listTools({});
    expect(keyLookups).toBe(1);
    const unknown = harness.clients("key-unknown-0123456789");
    for (let i = 0; i < 3; i++) await rejection(unknown.tools.listTools({}));
    expect(keyLookups).toBe(2);
  });

  it("gives RegistryService to the runtime credential only", async () => {
    const error = await rejection(harness.clients(keys.acme).registry.listRuntimes({}));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toMatch(/runtime credential/);
    const { runtimes } = await harness.clients(runtimeKey).registry.listRuntimes({});
    expect(runtimes.map((r) => r.id)).toEqual(["rt-a"]);
  });

  it("does not let the runtime credential alone call tools", async () => {
    const error = await rejection(harness.clients(runtimeKey).tools.executeTool({ tool: "echo" }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toMatch(/toolbridge-call/);
  });

  it("leaves health open", async () => {
    const { status } = await harness.clients(null).health.check({ service: "" });
    expect(status).toBe(1);
  });

  it("sends the runtime key and a signed call context to the runtime, never the caller's key", async () => {
    await harness.clients(keys.limited).tools.executeTool({ tool: "echo", args: {} }, { timeoutMs: 5000 });
    const [call] = stub.calls;
    expect(call.authorization).toBe(`Bearer ${runtimeKey}`);
    expect(call.timeoutMs).toBeGreaterThan(4000);
    expect(call.timeoutMs).toBeLessThanOrEqual(5000);
    const claims = await verify(call.callContext as string, runtimeKey, { alg: "HS256", aud: "toolbridge-call" });
    expect(claims).toMatchObject({ org: "acme", tools: ["count", "echo"], sid: "", chain: ["echo"], depth: 1 });
    expect((claims.exp as number) * 1000).toBeGreaterThan(Date.now() + 5000);
  });
});

describe("call contexts forwarded by runtimes", () => {
  let harness: Harness;
  let stub: StubRuntime;

  beforeEach(async () => {
    stub = createStubRuntime("rt-a", ["echo", "count", "secret", "a", "b", "c"]);
    harness = await startHarness({ stubs: [stub], gateway: { maxCallDepth: 3 } });
    await harness.register(stub);
  });

  afterEach(async () => {
    await harness.close();
  });

  const contextFor = async (principal: Partial<Principal>, tool: string, sessionId = "") => {
    const contexts = createCallContexts({ signer: createJwtSigner(runtimeKey), ttlMs: 60_000, maxDepth: 8, maxEntries: 10 });
    const full: Principal = { kind: "api-key", orgId: "acme", allowedTools: "all", chain: [], ...principal };
    return contexts.headerFor(full, sessionId, tool, 1000);
  };

  it("acts with the original caller's rights: its allowlist holds", async () => {
    const context = await contextFor({ allowedTools: new Set(["a", "echo"]) }, "a");
    const client = harness.clients(runtimeKey, "connect-binary", { "toolbridge-call": context });
    const ok = await client.tools.executeTool({ tool: "echo", args: {} });
    expect(ok.runtimeId).toBe("rt-a");
    const denied = await rejection(client.tools.executeTool({ tool: "secret" }));
    expect(denied.code).toBe(Code.PermissionDenied);
    // The next hop carries the chain so far.
    const forwarded = stub.calls.at(-1)?.callContext as string;
    expect(await verify(forwarded, runtimeKey, { alg: "HS256", aud: "toolbridge-call" })).toMatchObject({ chain: ["a", "echo"], depth: 2 });
  });

  it("ends a cycle with FAILED_PRECONDITION naming the chain", async () => {
    const context = await contextFor({ chain: ["a"] }, "b");
    const error = await rejection(harness.clients(runtimeKey, "connect-json", { "toolbridge-call": context }).tools.executeTool({ tool: "a" }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toBe("call cycle: a -> b -> a");
  });

  it("refuses calls nested deeper than the limit", async () => {
    const context = await contextFor({ chain: ["a", "b"] }, "c");
    const error = await rejection(harness.clients(runtimeKey, "connect-json", { "toolbridge-call": context }).tools.executeTool({ tool: "echo" }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/deeper than 3: a -> b -> c -> echo/);
  });

  it("accepts a call context only with the runtime credential", async () => {
    const context = await contextFor({}, "a");
    const withApiKey = harness.clients(keys.limited, "connect-json", { "toolbridge-call": context });
    // An API key with a context header is just the API key: the context grants nothing.
    expect((await rejection(withApiKey.tools.executeTool({ tool: "secret" }))).code).toBe(Code.PermissionDenied);
  });

  it("refuses a tampered or foreign call context with UNAUTHENTICATED", async () => {
    const context = await contextFor({}, "a");
    const [header, , signature] = context.split(".");
    const forged = `${header}.${btoa(JSON.stringify({ org: "beta", tools: "*", sid: "", chain: [], depth: 0, aud: "toolbridge-call", exp: 9e9 })).replace(/=/g, "")}.${signature}`;
    const error = await rejection(harness.clients(runtimeKey, "connect-json", { "toolbridge-call": forged }).tools.listTools({}));
    expect(error.code).toBe(Code.Unauthenticated);
    const otherKey = await createCallContexts({ signer: createJwtSigner("another-key-0123456789"), ttlMs: 60_000, maxDepth: 8, maxEntries: 1 })
      .headerFor({ kind: "api-key", orgId: "acme", allowedTools: "all", chain: [] }, "", "a", 1000);
    expect((await rejection(harness.clients(runtimeKey, "connect-json", { "toolbridge-call": otherKey }).tools.listTools({}))).code).toBe(
      Code.Unauthenticated,
    );
  });

  it("keeps a forwarded call to the session of the call it serves", async () => {
    const acme = harness.clients(keys.acme);
    await acme.sessions.initializeSession({ sessionId: "s-own" });
    await acme.sessions.initializeSession({ sessionId: "s-other" });
    const context = await contextFor({}, "a", "s-own");
    const client = harness.clients(runtimeKey, "connect-json", { "toolbridge-call": context });
    await client.variables.setVariable({ sessionId: "s-own", write: { name: "x", type: 1, content: { case: "value", value: { kind: { case: "stringValue", value: "v" } } } } });
    const error = await rejection(client.variables.getVariable({ sessionId: "s-other", name: "x" }));
    expect(error.code).toBe(Code.PermissionDenied);
  });
});

describe("an insecure gateway", () => {
  it("serves callers without a key as org 'default', and still checks keys that are sent", async () => {
    const stub = createStubRuntime("rt-a", ["echo"]);
    const harness = await startHarness({ stubs: [stub], gateway: { insecure: true } });
    try {
      await harness.register(stub);
      const anonymous = harness.clients(null);
      const { session } = await anonymous.sessions.initializeSession({});
      expect(session?.orgId).toBe("default");
      expect((await anonymous.tools.executeTool({ tool: "echo" })).runtimeId).toBe("rt-a");
      expect((await rejection(harness.clients("key-unknown-0123456789").tools.listTools({}))).code).toBe(Code.Unauthenticated);
    } finally {
      await harness.close();
    }
  });
});
