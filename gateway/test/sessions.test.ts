import { timestampMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { verify } from "hono/jwt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, keys, rejection, runtimeKey, startHarness } from "./support/harness.js";
import { clock, useStoreKinds } from "./support/stores.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";
import { valueOf, write } from "./support/values.js";

const kinds = useStoreKinds();

describe.each(kinds)("SessionService on the $name store", (kind) => {
  let harness: Harness;
  let stub: StubRuntime;

  beforeEach(async () => {
    stub = createStubRuntime("rt-a", ["echo", "count"]);
    harness = await startHarness({ store: await kind.open(), stubs: [stub] });
    await harness.register(stub);
  });

  afterEach(async () => {
    await harness.close();
  });

  const acme = () => harness.clients(keys.acme);
  const beta = () => harness.clients(keys.beta);

  it("initializes a session with metadata, TTL and variables, in the caller's org", async () => {
    const response = await acme().sessions.initializeSession({
      sessionId: "s-1",
      metadata: { purpose: "test" },
      ttlSeconds: 120,
      variables: [write("greeting", "string", "hi"), write("n", "integer", 3)],
    });
    const session = response.session!;
    expect(session).toMatchObject({ id: "s-1", metadata: { purpose: "test" }, ttlSeconds: 120, orgId: "acme" });
    expect(timestampMs(session.expiresAt!) - timestampMs(session.createdAt!)).toBe(120_000);
    expect(response.variables.map((v) => [v.name, valueOf(v), v.version])).toEqual([
      ["greeting", "hi", 1],
      ["n", 3, 1],
    ]);
    const again = await rejection(acme().sessions.initializeSession({ sessionId: "s-1" }));
    expect(again.code).toBe(Code.AlreadyExists);
  });

  it("generates an id and uses the default TTL when none is given", async () => {
    const { session } = await acme().sessions.initializeSession({});
    expect(session?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(session?.ttlSeconds).toBe(3600);
  });

  it("refuses a TTL over the maximum", async () => {
    const error = await rejection(acme().sessions.initializeSession({ ttlSeconds: 10 * 24 * 3600 }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toMatch(/ttl_seconds must be at most 86400 seconds/);
  });

  it("hides every session of another org as NOT_FOUND", async () => {
    await acme().sessions.initializeSession({ sessionId: "s-acme", variables: [write("x", "integer", 1)] });
    const other = beta();
    const attempts = [
      other.sessions.getSession({ sessionId: "s-acme" }),
      other.sessions.cleanupSession({ sessionId: "s-acme" }),
      other.sessions.createSessionToken({ sessionId: "s-acme" }),
      other.sessions.registerSessionTool({ sessionId: "s-acme", tool: { name: "t" }, endpoint: stub.url }),
      other.variables.getVariable({ sessionId: "s-acme", name: "x" }),
      other.variables.setVariable({ sessionId: "s-acme", write: write("x", "integer", 2) }),
      other.variables.listVariables({ sessionId: "s-acme" }),
      other.tools.executeTool({ tool: "echo", sessionId: "s-acme" }),
      other.tools.listTools({ sessionId: "s-acme" }),
    ];
    for (const attempt of attempts) {
      const error = await rejection(attempt);
      expect(error.code).toBe(Code.NotFound);
      expect(error.rawMessage).toBe("session 's-acme' does not exist; initialize a new session");
    }
    const { variables } = await acme().variables.listVariables({ sessionId: "s-acme" });
    expect(variables.map((v) => [v.name, valueOf(v)])).toEqual([["x", 1]]);
    expect(stub.calls).toHaveLength(0);
  });

  it("lists the caller's org's sessions only, a page at a time", async () => {
    for (const id of ["a1", "a2", "a3", "a4"]) await acme().sessions.initializeSession({ sessionId: id });
    for (const id of ["a0", "a15", "a25", "b9"]) await beta().sessions.initializeSession({ sessionId: id });
    const first = await acme().sessions.listSessions({ pageSize: 3 });
    expect(first.sessions.map((s) => s.id)).toEqual(["a1", "a2", "a3"]);
    expect(first.nextPageToken).not.toBe("");
    const second = await acme().sessions.listSessions({ pageSize: 3, pageToken: first.nextPageToken });
    expect(second.sessions.map((s) => s.id)).toEqual(["a4"]);
    expect(second.nextPageToken).toBe("");
    expect((await beta().sessions.listSessions({})).sessions.map((s) => s.id)).toEqual(["a0", "a15", "a25", "b9"]);
    expect((await rejection(acme().sessions.listSessions({ pageToken: "forged" }))).code).toBe(Code.InvalidArgument);
  });

  it("cleans up a session: its variables go, and its pinned runtime is told to release it", async () => {
    await acme().sessions.initializeSession({ sessionId: "s-1", variables: [write("a", "string", "x"), write("b", "string", "y")] });
    await acme().tools.executeTool({ tool: "echo", sessionId: "s-1" });
    const result = await acme().sessions.cleanupSession({ sessionId: "s-1" });
    expect(result).toMatchObject({ removed: true, variablesRemoved: 2 });
    expect(stub.released).toEqual(["s-1"]);
    expect((await rejection(acme().sessions.getSession({ sessionId: "s-1" }))).code).toBe(Code.NotFound);
    expect((await rejection(acme().variables.getVariable({ sessionId: "s-1", name: "a" }))).code).toBe(Code.NotFound);
  });

  it("cleans up even when the runtime does not implement ReleaseSession yet", async () => {
    stub.releaseUnimplemented = true;
    await acme().sessions.initializeSession({ sessionId: "s-1" });
    await acme().tools.executeTool({ tool: "echo", sessionId: "s-1" });
    expect(await acme().sessions.cleanupSession({ sessionId: "s-1" })).toMatchObject({ removed: true });
    expect(stub.released).toEqual([]);
  });

  it("registers a session tool visible and callable in its session only", async () => {
    const own = createStubRuntime("rt-own", ["private_tool"]);
    await harness.close();
    harness = await startHarness({ store: await kind.open(), stubs: [stub, own] });
    await harness.register(stub);
    await harness.register(own);
    await acme().sessions.initializeSession({ sessionId: "s-1" });
    await acme().sessions.initializeSession({ sessionId: "s-2" });
    const { tool } = await acme().sessions.registerSessionTool({
      sessionId: "s-1",
      tool: { name: "mine", description: "only here" },
      endpoint: own.url,
    });
    expect(tool).toMatchObject({ name: "mine", sessionScoped: true });
    const inSession = await acme().tools.listTools({ sessionId: "s-1" });
    expect(inSession.tools.find((t) => t.name === "mine")).toMatchObject({ sessionScoped: true });
    expect((await acme().tools.listTools({ sessionId: "s-2" })).tools.map((t) => t.name)).not.toContain("mine");
    expect((await acme().tools.listTools({})).tools.map((t) => t.name)).not.toContain("mine");
    const response = await acme().tools.executeTool({ tool: "mine", sessionId: "s-1" });
    expect(response.runtimeId).toBe("rt-own");
    expect(own.calls.at(-1)).toMatchObject({ tool: "mine", sessionId: "s-1", authorization: `Bearer ${runtimeKey}` });
    const elsewhere = await rejection(acme().tools.executeTool({ tool: "mine", sessionId: "s-2" }));
    expect(elsewhere.code).toBe(Code.NotFound);
  });

  it("refuses a session tool endpoint that is neither a registered runtime nor an allowed prefix", async () => {
    await acme().sessions.initializeSession({ sessionId: "s-1" });
    const error = await rejection(
      acme().sessions.registerSessionTool({ sessionId: "s-1", tool: { name: "t" }, endpoint: "http://169.254.169.254/" }),
    );
    expect(error.code).toBe(Code.PermissionDenied);
  });

  it("calls a session tool under an allowed prefix without the runtime key", async () => {
    const own = createStubRuntime("rt-client", ["mine"], 9);
    await harness.close();
    harness = await startHarness({ store: await kind.open(), stubs: [own], gateway: { sessionToolEndpoints: ["http://stub-rt-client:"] } });
    await acme().sessions.initializeSession({ sessionId: "s-1" });
    await acme().sessions.registerSessionTool({ sessionId: "s-1", tool: { name: "mine" }, endpoint: own.url });
    await acme().tools.executeTool({ tool: "mine", sessionId: "s-1" });
    expect(own.calls.at(-1)?.authorization).toBeNull();
    expect(own.calls.at(-1)?.callContext).toMatch(/^ey/);
  });

  it("signs a session token for runtimes, capped at the session's TTL", async () => {
    await acme().sessions.initializeSession({ sessionId: "s-1", ttlSeconds: 60 });
    const before = Date.now();
    const response = await harness.clients(keys.limited).sessions.createSessionToken({ sessionId: "s-1", ttlSeconds: 600 });
    expect(response.runtimeUrls).toEqual([stub.url]);
    const claims = await verify(response.token, runtimeKey, { alg: "HS256", aud: "toolbridge-session" });
    expect(claims).toMatchObject({ sid: "s-1", org: "acme", tools: ["count", "echo"] });
    expect((claims.exp as number) * 1000).toBeLessThanOrEqual(before + 61_000);
    expect(timestampMs(response.expiresAt!)).toBe((claims.exp as number) * 1000);
    // A session token is not a call context: the gateway does not take it as one.
    const misuse = harness.clients(runtimeKey, "connect-json", { "toolbridge-call": response.token });
    expect((await rejection(misuse.tools.listTools({}))).code).toBe(Code.Unauthenticated);
  });
});

describe("session expiry (memory store, moved clock)", () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ store: await kinds[0].open() });
  });

  afterEach(async () => {
    await harness.close();
  });

  it("slides the TTL on every use and reports an expired session as NOT_FOUND saying it expired", async () => {
    const client = harness.clients(keys.acme);
    await client.sessions.initializeSession({ sessionId: "s-1", ttlSeconds: 10 });
    clock.advance(6000);
    await client.variables.setVariable({ sessionId: "s-1", write: write("x", "integer", 1) });
    clock.advance(6000);
    const { session } = await client.sessions.getSession({ sessionId: "s-1" });
    expect(timestampMs(session!.expiresAt!)).toBeGreaterThan(clock.now() + 9000);
    clock.advance(11_000);
    const error = await rejection(client.sessions.getSession({ sessionId: "s-1" }));
    expect(error.code).toBe(Code.NotFound);
    expect(error.rawMessage).toMatch(/^session 's-1' expired: it was last used 11 s ago and sessions expire after their TTL \(10 s\) without use/);
    expect((await rejection(client.variables.getVariable({ sessionId: "s-1", name: "x" }))).rawMessage).toMatch(/^session 's-1' expired: /);
    // Another org is not told that the session existed.
    const other = await rejection(harness.clients(keys.beta).variables.getVariable({ sessionId: "s-1", name: "x" }));
    expect(other.rawMessage).toBe("session 's-1' does not exist; initialize a new session");
  });

  it("reports a cleaned-up session as cleaned up to its org only", async () => {
    const client = harness.clients(keys.acme);
    await client.sessions.initializeSession({ sessionId: "s-2" });
    await client.sessions.cleanupSession({ sessionId: "s-2" });
    const error = await rejection(client.variables.getVariable({ sessionId: "s-2", name: "x" }));
    expect([error.code, error.rawMessage]).toEqual([Code.NotFound, "session 's-2' was cleaned up; initialize a new session"]);
    const other = await rejection(harness.clients(keys.beta).sessions.getSession({ sessionId: "s-2" }));
    expect(other.rawMessage).toBe("session 's-2' does not exist; initialize a new session");
  });
});
