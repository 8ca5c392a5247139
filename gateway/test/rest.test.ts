import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, keys, startHarness } from "./support/harness.js";
import { createStubRuntime, type StubRuntime } from "./support/stub-runtime.js";

/** The events of a text/event-stream body. */
function events(text: string): { event: string; data: unknown }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) => {
      const lines = block.split("\n");
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7) ?? "";
      const data = lines.filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      return { event, data: JSON.parse(data) };
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
