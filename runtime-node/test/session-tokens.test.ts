// Browsers call a runtime directly with a session token the gateway signed with the runtime key (here signed
// the way the gateway signs them, with hono/jwt): one session, the token's tools, verified without a round trip.
// Calls forwarded with the runtime key carry the gateway's toolbridge-call context, which the runtime verifies too.
import { fileURLToPath } from "node:url";
import { Code, createClient } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import { RuntimeService } from "@toolbridge/proto/gen/toolbridge/v1/runtime_pb";
import { sign } from "hono/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pythonDir, type RuntimeProcess, startRuntime } from "../../test/support/runtime.js";
import { connectTo, transportKinds } from "./support/clients.js";
import { rejection } from "../../test/support/rejection.js";

const key = "session-token-test-key-0123456789";
const bridgeTools = `${pythonDir}/tests/fixtures/bridge_tools.py`;
const tsTools = fileURLToPath(new URL("./fixtures/ts-tools.mjs", import.meta.url));

const inSeconds = (s: number) => Math.floor(Date.now() / 1000) + s;

/** A session token as the gateway makes it (gateway/src/auth/session-token.ts). */
function sessionToken(claims: { sid: string; tools: "*" | string[] }, options: { exp?: number; secret?: string; aud?: string } = {}) {
  const payload = { sid: claims.sid, org: "acme", tools: claims.tools, aud: options.aud ?? "toolbridge-session", iat: inSeconds(0), exp: options.exp ?? inSeconds(300) };
  return sign(payload, options.secret ?? key, "HS256");
}

/** A call context as the gateway makes it (gateway/src/auth/call-context.ts). */
function callContext(claims: { sid: string; tools: "*" | string[]; chain: string[] }, options: { secret?: string } = {}) {
  const payload = { org: "acme", ...claims, depth: claims.chain.length, aud: "toolbridge-call", iat: inSeconds(0), exp: inSeconds(300) };
  return sign(payload, options.secret ?? key, "HS256");
}

describe("session tokens on the runtime", () => {
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--module", bridgeTools, "--ts-module", tsTools, "--workers", "1", "--key", key] });
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  const withToken = (token: string, kind = transportKinds[0]) => connectTo({ url: runtime.url, key: token }, kind);

  it.each(transportKinds.map((k) => [k.name, k] as const))("are accepted for their session and tools over %s", async (_n, kind) => {
    const c = withToken(await sessionToken({ sid: "s1", tools: ["ts_context", "py_leaf"] }), kind);
    try {
      const response = await c.tools.executeTool({ tool: "ts_context", args: {}, sessionId: "s1" });
      expect(fromValue(response.result)).toMatchObject({ session_id: "s1" });
      expect(fromValue((await c.tools.executeTool({ tool: "py_leaf", args: { text: "t" }, sessionId: "s1" })).result)).toMatchObject({ text: "t" });
    } finally {
      c.close();
    }
  });

  it("are refused for another session, or for none, with PERMISSION_DENIED", async () => {
    const c = withToken(await sessionToken({ sid: "s1", tools: "*" }));
    const other = await rejection(c.tools.executeTool({ tool: "py_leaf", args: {}, sessionId: "s2" }));
    expect([other.code, other.rawMessage]).toEqual([
      Code.PermissionDenied,
      "this session token is for session 's1' only, and the call names session 's2'",
    ]);
    const none = await rejection(c.tools.executeTool({ tool: "py_leaf", args: {} }));
    expect([none.code, none.rawMessage]).toEqual([Code.PermissionDenied, "this session token is for session 's1' only, and the call names no session"]);
    const streamed = await rejection((async () => {
      for await (const _ of c.tools.streamTool({ tool: "ts_count", args: { n: 1 }, sessionId: "s2" })) void _;
    })());
    expect(streamed.code).toBe(Code.PermissionDenied);
  });

  it("are refused for a tool outside their allowlist with PERMISSION_DENIED, and list only their tools", async () => {
    const c = withToken(await sessionToken({ sid: "s1", tools: ["py_leaf"] }));
    const error = await rejection(c.tools.executeTool({ tool: "ts_add", args: { a: 1, b: 2 }, sessionId: "s1" }));
    expect([error.code, error.rawMessage]).toEqual([Code.PermissionDenied, "the key of org 'acme' may not call tool 'ts_add'"]);
    expect(errorInfoOf(error).field).toBe("/tool");
    const { tools } = await c.tools.listTools({});
    expect(tools.map((t) => t.name)).toEqual(["py_leaf"]);
    const { outcomes } = await c.tools.batchExecuteTools({ sessionId: "s1", calls: [{ tool: "py_leaf" }, { tool: "ts_add", args: { a: 1, b: 1 } }] });
    expect(outcomes.map((o) => (o.outcome.case === "error" ? o.outcome.value.code : "ok"))).toEqual(["ok", "permission_denied"]);
  });

  it("hold a Python tool's callbacks to the token's tools", async () => {
    const c = withToken(await sessionToken({ sid: "s1", tools: ["py_call"] }));
    const error = await rejection(c.tools.executeTool({ tool: "py_call", args: { tool: "ts_add", args: { a: 1, b: 2 } }, sessionId: "s1" }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toBe("the key of org 'acme' may not call tool 'ts_add'");
    const allowed = withToken(await sessionToken({ sid: "s1", tools: ["py_call", "ts_add"] }));
    const response = await allowed.tools.executeTool({ tool: "py_call", args: { tool: "ts_add", args: { a: 1, b: 2 } }, sessionId: "s1" });
    expect(fromValue(response.result)).toBe(3);
  });

  it.each([
    ["expired", () => sessionToken({ sid: "s1", tools: "*" }, { exp: inSeconds(-5) }), /the session token is not valid: the token has expired/],
    ["signed with another key", () => sessionToken({ sid: "s1", tools: "*" }, { secret: "another-key-0123456789abcdef" }), /the signature does not match this runtime's key/],
    ["meant for another audience (a call context)", () => callContext({ sid: "s1", tools: "*", chain: [] }), /the token is not meant for toolbridge-session/],
    ["not a token at all", async () => "a.b.c", /the session token is not valid/],
  ])("are refused UNAUTHENTICATED when %s", async (_what, make, message) => {
    const c = withToken(await make());
    for (const kind of [transportKinds[0], transportKinds[4]]) {
      const client = kind === transportKinds[0] ? c : withToken(await make(), kind);
      const error = await rejection(client.tools.executeTool({ tool: "py_leaf", args: {}, sessionId: "s1" }));
      expect(error.code).toBe(Code.Unauthenticated);
      expect(error.rawMessage).toMatch(message);
    }
  });

  it("cannot call RuntimeService.ReleaseSession, which needs the runtime key", async () => {
    const token = await sessionToken({ sid: "s1", tools: "*" });
    const client = createClient(RuntimeService, withToken(token).transport);
    const error = await rejection(client.releaseSession({ sessionId: "s1" }));
    expect(error.code).toBe(Code.PermissionDenied);
  });

  it("never appear in the runtime's log", async () => {
    const token = await sessionToken({ sid: "s1", tools: "*" }, { exp: inSeconds(-5) });
    await rejection(withToken(token).tools.executeTool({ tool: "py_leaf", args: {}, sessionId: "s1" }));
    expect(runtime.stderr()).not.toContain(token.split(".")[2]);
  });
});

describe("call contexts sent with the runtime key", () => {
  let runtime: RuntimeProcess;

  beforeAll(async () => {
    runtime = await startRuntime({ args: ["--module", bridgeTools, "--ts-module", tsTools, "--workers", "1", "--key", key] });
  });

  afterAll(async () => {
    await runtime?.stop();
  });

  const client = () => connectTo({ url: runtime.url, key });

  it("are refused UNAUTHENTICATED when they do not verify", async () => {
    const forged = await callContext({ sid: "s1", tools: "*", chain: ["py_leaf"] }, { secret: "another-key-0123456789abcdef" });
    const error = await rejection(client().tools.executeTool({ tool: "py_leaf", args: {} }, { headers: { "toolbridge-call": forged } }));
    expect([error.code, error.rawMessage]).toEqual([Code.Unauthenticated, "the toolbridge-call context is not valid or has expired"]);
  });

  it("hold nested calls to the context's allowlist", async () => {
    const context = await callContext({ sid: "s1", tools: ["py_call"], chain: ["py_call"] });
    const error = await rejection(
      client().tools.executeTool({ tool: "py_call", args: { tool: "ts_add", args: { a: 1, b: 1 } }, sessionId: "s1" }, { headers: { "toolbridge-call": context } }),
    );
    expect([error.code, error.rawMessage]).toEqual([Code.PermissionDenied, "the key of org 'acme' may not call tool 'ts_add'"]);
  });

  it("carry the chain, so that a cycle through the gateway is seen here too", async () => {
    // As if ts_hop on another runtime had called py_hop through the gateway.
    const context = await callContext({ sid: "", tools: "*", chain: ["ts_hop", "py_hop"] });
    const error = await rejection(
      client().tools.executeTool({ tool: "py_hop", args: { next: ["ts_hop"] } }, { headers: { "toolbridge-call": context } }),
    );
    expect([error.code, error.rawMessage]).toEqual([Code.FailedPrecondition, "call cycle: ts_hop -> py_hop -> ts_hop"]);
  });
});
