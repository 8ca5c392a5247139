import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createJwtSigner } from "../src/auth/jwt-signer.js";
import { sessionTokenAudience } from "../src/auth/session-token.js";
import { createLogger } from "../src/log.js";
import { maxQueryBytes } from "../src/rest/stream-query.js";
import { type Harness, keys, runtimeKey, startHarness } from "./support/harness.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";

/** The events of a text/event-stream body. */
function events(text: string): { event: string; data: unknown; id?: string }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
      const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      const id = lines.find((l) => l.startsWith("id: "))?.slice(4);
      return id === undefined ? { event, data: JSON.parse(data) } : { event, data: JSON.parse(data), id };
    });
}

/** A response's JSON body, as the tests look into it. */
async function json(response: Response): Promise<any> {
  return response.json();
}

describe("REST and SSE routes", () => {
  let harness: Harness;
  let a: StubRuntime;

  beforeEach(async () => {
    a = createStubRuntime("rt-a", ["echo", "count", "break", "fail", "slow", "secret"]);
    harness = await startHarness({ stubs: [a], gateway: { maxMessageBytes: 1024 } });
    await harness.register(a);
  });

  afterEach(async () => {
    await harness.close();
  });

  const post = (path: string, body: unknown, key: string | null = keys.acme) =>
    harness.fetch(`http://gateway.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("executes a tool: success, output, error and metadata", async () => {
    const response = await post("/cluster-tools/execute", { tool_name: "echo", input: { text: "hi" }, request_id: "r-1" });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({
      success: true,
      output: { runtime: "rt-a", tool: "echo", args: { text: "hi" } },
      error: null,
      metadata: { runtime_id: "rt-a", request_id: "r-1", timings: { queue_ms: 0.1, run_ms: 0.2, runtime_ms: 0.3 } },
    });
    expect(body.metadata.timings.gateway_ms).toBeGreaterThan(0);
  });

  it.each([
    ["no key", { tool_name: "echo" }, null, 401, "unauthenticated"],
    ["a disallowed tool", { tool_name: "secret" }, keys.limited, 403, "permission_denied"],
    ["an unknown tool", { tool_name: "nope" }, keys.acme, 404, "not_found"],
    ["a tool that raises", { tool_name: "fail", input: { text: "x" } }, keys.acme, 400, "invalid_argument"],
    ["a missed deadline", { tool_name: "slow", input: { ms: 10_000 }, timeout_ms: 50 }, keys.acme, 504, "deadline_exceeded"],
    ["no tool_name", { input: {} }, keys.acme, 400, "invalid_argument"],
  ])("answers %s with the code's HTTP status and a JSON error", async (_, body, key, status, code) => {
    const response = await post("/cluster-tools/execute", body, key);
    expect(response.status).toBe(status);
    expect(await json(response)).toMatchObject({ success: false, error: { code, message: expect.any(String) } });
  });

  it("reports a tool's exception with its type, field and traceback", async () => {
    const body = await json(await post("/cluster-tools/execute", { tool_name: "fail", input: { text: "x" } }));
    expect(body.error).toEqual({ code: "invalid_argument", message: "the text is wrong", type: "ValueError", field: "/text", tool: "fail", traceback: "Traceback ..." });
    expect(body.output).toBeNull();
  });

  it("refuses a body that is not JSON, and one over the size limit", async () => {
    const bad = await post("/cluster-tools/execute", "{not json");
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.message).toMatch(/not JSON/);
    const big = await post("/cluster-tools/execute", { tool_name: "echo", input: { text: "x".repeat(100_000) } });
    expect(big.status).toBe(429);
    expect((await json(big)).error.code).toBe("resource_exhausted");
  });

  it("answers 503 when every runtime serving the tool is down", async () => {
    a.refuse = true;
    const response = await post("/cluster-tools/execute", { tool_name: "echo" });
    expect(response.status).toBe(503);
    expect((await json(response)).error.code).toBe("unavailable");
  });

  it("resolves the runtime that would serve a tool, or 404", async () => {
    const found = await post("/cluster-tools/resolve", { tool_name: "echo" });
    expect(await json(found)).toEqual({ success: true, endpoint: a.url, runtime_id: "rt-a" });
    const missing = await post("/cluster-tools/resolve", { tool_name: "nope" });
    expect(missing.status).toBe(404);
    expect(await json(missing)).toMatchObject({ success: false, error: { code: "not_found", message: expect.stringMatching(/no runtime serves tool 'nope'/) } });
    expect((await post("/cluster-tools/resolve", { tool_name: "secret" }, keys.limited)).status).toBe(403);
  });

  it("streams a tool as server-sent events", async () => {
    const response = await post("/v1/tools/count:stream", { n: 2 });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const seen = events(await response.text());
    expect(seen.map((e) => e.event)).toEqual(["chunk", "progress", "chunk", "progress", "result"]);
    expect(seen[0].data).toEqual({ index: 0, data: 1 });
    expect(seen[1].data).toEqual({ fraction: 0.5, message: "1 of 2" });
    expect(seen[4].data).toMatchObject({ output: 2, metadata: { runtime_id: "rt-a" } });
  });

  it("ends a stream that fails midway with an error event", async () => {
    const seen = events(await (await post("/v1/tools/break:stream", { n: 1 })).text());
    expect(seen.map((e) => e.event)).toEqual(["chunk", "progress", "error"]);
    expect(seen[2].data).toMatchObject({ code: "internal", message: "broke mid-stream", type: "RuntimeError" });
  });

  it("answers failures before the first event with an HTTP status", async () => {
    expect((await post("/v1/tools/secret:stream", {}, keys.limited)).status).toBe(403);
    expect((await post("/v1/tools/nope:stream", {})).status).toBe(404);
    expect((await post("/v1/tools/count:stream", {}, null)).status).toBe(401);
    expect((await post("/v1/tools/count:stream", "[1]")).status).toBe(400);
    expect((await post("/v1/tools/count", {})).status).toBe(404);
  });

  it("reports health without a key, and 503 once draining", async () => {
    const ok = await harness.fetch("http://gateway.test/healthz");
    expect([ok.status, await json(ok)]).toEqual([200, { status: "serving" }]);
    harness.gateway.drain();
    const draining = await harness.fetch("http://gateway.test/healthz");
    expect([draining.status, await json(draining)]).toEqual([503, { status: "not_serving" }]);
  });

  it("answers browsers' CORS preflights for Connect calls", async () => {
    const response = await harness.fetch("http://gateway.test/toolbridge.v1.ToolService/ExecuteTool", {
      method: "OPTIONS",
      headers: { origin: "http://app.test", "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type,connect-protocol-version" },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-headers")).toMatch(/Connect-Protocol-Version/);
  });
});

describe("GET streams for EventSource", () => {
  let harness: Harness;
  let a: StubRuntime;
  let logged: string[];

  beforeEach(async () => {
    logged = [];
    a = createStubRuntime("rt-a", ["echo", "count", "break", "secret"]);
    const log = createLogger({ level: "debug", write: (line) => logged.push(line) });
    harness = await startHarness({ stubs: [a], gateway: { log } });
    await harness.register(a);
  });

  afterEach(async () => {
    await harness.close();
  });

  /** GET /v1/tools/{tool}:stream with these query parameters (args as JSON unless a string) and headers. */
  const get = (tool: string, query: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) params.set(name, typeof value === "string" ? value : JSON.stringify(value));
    return harness.fetch(`http://gateway.test/v1/tools/${tool}:stream?${params}`, { headers });
  };
  const withKey = (key: string) => ({ authorization: `Bearer ${key}` });

  /** A new session of acme and a session token for it, from a key. */
  const sessionToken = async (key: string = keys.acme) => {
    const clients = harness.clients(key);
    const { session } = await clients.sessions.initializeSession({});
    const { token } = await clients.sessions.createSessionToken({ sessionId: session!.id });
    return { sessionId: session!.id, token };
  };

  it("streams chunks, progress and the result in order, the last event with the id 'end'", async () => {
    const response = await get("count", { args: { n: 2 }, request_id: "r-get" }, withKey(keys.acme));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const seen = events(await response.text());
    expect(seen.map((e) => [e.event, e.id])).toEqual([
      ["chunk", undefined],
      ["progress", undefined],
      ["chunk", undefined],
      ["progress", undefined],
      ["result", "end"],
    ]);
    expect(seen[0].data).toEqual({ index: 0, data: 1 });
    expect(seen[3].data).toEqual({ fraction: 1, message: "2 of 2" });
    expect(seen[4].data).toMatchObject({ output: 2, metadata: { runtime_id: "rt-a", request_id: "r-get" } });
  });

  it("ends a stream that fails midway with an error event with the id 'end'", async () => {
    const seen = events(await (await get("break", { args: { n: 1 } }, withKey(keys.acme))).text());
    expect(seen.map((e) => e.event)).toEqual(["chunk", "progress", "error"]);
    expect(seen[2]).toMatchObject({ id: "end", data: { code: "internal", message: "broke mid-stream" } });
  });

  it("follows a stream with a session token in the query, in the token's session only", async () => {
    const { sessionId, token } = await sessionToken();
    const response = await get("count", { args: { n: 1 }, access_token: token });
    expect(response.status).toBe(200);
    expect(events(await response.text()).map((e) => e.event)).toEqual(["chunk", "progress", "result"]);
    expect(a.calls.at(-1)).toMatchObject({ tool: "count", sessionId });

    const other = await sessionToken();
    const elsewhere = await get("count", { args: { n: 1 }, access_token: token, session_id: other.sessionId });
    expect(elsewhere.status).toBe(403);
    expect(await json(elsewhere)).toMatchObject({ success: false, error: { code: "permission_denied" } });

    const limited = await sessionToken(keys.limited);
    const secret = await get("secret", { access_token: limited.token });
    expect(secret.status).toBe(403);
    expect(await json(secret)).toMatchObject({ error: { code: "permission_denied", tool: "secret" } });
  });

  it("writes nothing of the query to the log, even when the call fails", async () => {
    const { token } = await sessionToken();
    expect((await get("count", { args: { n: 1 }, access_token: token })).status).toBe(200);
    a.refuse = true;
    expect((await get("count", { args: { n: 1 }, access_token: token })).status).toBe(503);
    expect(logged.some((line) => line.includes("refused the connection"))).toBe(true);
    expect(logged.filter((line) => line.includes(token) || line.includes("access_token") || line.includes("args="))).toEqual([]);
  });

  it("takes the Authorization header over an access_token in the query", async () => {
    const { token } = await sessionToken(keys.limited);
    expect((await get("secret", { access_token: token }, withKey(keys.acme))).status).toBe(200);
  });

  it.each([
    ["no credential", {}, {}],
    ["an unknown key in the header", {}, withKey("key-unknown-0123456789abcdef")],
    ["an API key in the query", { access_token: keys.acme }, {}],
    ["a token that is not a session token", { access_token: "a.b.c" }, {}],
  ])("answers %s with 401 and a JSON error", async (_, query, headers) => {
    const response = await get("count", { args: { n: 1 }, ...query }, headers);
    expect(response.status).toBe(401);
    expect(await json(response)).toMatchObject({ success: false, error: { code: "unauthenticated", message: expect.any(String) } });
  });

  it("refuses an expired session token and a call context's token in the query", async () => {
    const signer = createJwtSigner(runtimeKey);
    const claims = { sid: "s-1", org: "acme", tools: "*" };
    const expired = await signer.sign(sessionTokenAudience, claims, Math.floor(Date.now() / 1000) - 60);
    const callContext = await signer.sign("toolbridge-call", { ...claims, chain: ["count"] }, Math.floor(Date.now() / 1000) + 60);
    for (const token of [expired, callContext]) {
      const response = await get("count", { access_token: token });
      expect(response.status).toBe(401);
      expect((await json(response)).error.message).toMatch(/session token from SessionService.CreateSessionToken/);
    }
  });

  it.each([
    ["args that are not JSON", { args: "{n: 1" }, 400, "invalid_argument", /"args" is not JSON/],
    ["args that are not an object", { args: [1] }, 400, "invalid_argument", /"args" must be a JSON object/],
    ["a bad timeout_ms", { args: {}, timeout_ms: "soon" }, 400, "invalid_argument", /timeout_ms/],
    ["a query over the size limit", { args: { text: "x".repeat(maxQueryBytes) } }, 429, "resource_exhausted", /POST the arguments/],
  ])("answers %s with the POST route's status and JSON error", async (_, query, status, code, message) => {
    const response = await get("count", query, withKey(keys.acme));
    expect(response.status).toBe(status);
    expect(await json(response)).toMatchObject({ success: false, error: { code, message: expect.stringMatching(message) } });
    expect(a.calls).toEqual([]);
  });

  it("answers an unknown tool with 404, and a path without :stream too", async () => {
    const unknown = await get("nope", {}, withKey(keys.acme));
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toMatchObject({ success: false, error: { code: "not_found" } });
    expect((await harness.fetch("http://gateway.test/v1/tools/count", { headers: withKey(keys.acme) })).status).toBe(404);
  });

  it("answers an EventSource reconnecting after the last event with 204, without running the tool again", async () => {
    const { token } = await sessionToken();
    const response = await get("count", { args: { n: 1 }, access_token: token }, { "last-event-id": "end" });
    expect(response.status).toBe(204);
    expect(a.calls).toEqual([]);
  });

  it("lets a page on another origin read the stream, and reconnect with Last-Event-ID", async () => {
    const { token } = await sessionToken();
    const response = await get("count", { args: { n: 1 }, access_token: token }, { origin: "http://app.test" });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    await response.text();
    const preflight = await harness.fetch("http://gateway.test/v1/tools/count:stream", {
      method: "OPTIONS",
      headers: { origin: "http://app.test", "access-control-request-method": "GET", "access-control-request-headers": "last-event-id" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Last-Event-ID/);
  });
});
