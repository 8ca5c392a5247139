// How the Worker reads its bindings: once per isolate, with the Node entry's parsing, keys stored
// only as hashes, and a clear error when something is missing.
import { Code, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ToolService } from "@toolbridge/proto/gen/toolbridge/v1/tool_pb";
import { Redis } from "@upstash/redis/cloudflare";
import { createExecutionContext } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createWorkersHandler, type WorkersEnv, type WorkersHandlerOptions } from "../src/adapter/workers.js";
import { hashApiKey } from "../src/auth/api-keys.js";
import { clientsFor, rejection } from "./support.js";

/** A Connect client of a fresh handler (a new isolate's) with these bindings and options. */
function toolsWith(env: WorkersEnv, options?: WorkersHandlerOptions) {
  const handler = createWorkersHandler(options);
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
    handler.fetch(new Request(input, { ...init, redirect: "manual" }), env, createExecutionContext())) as typeof globalThis.fetch;
  return createClient(ToolService, createConnectTransport({ baseUrl: "http://gateway.test", fetch }));
}

const runtimeKey = "runtime-key-0123456789abcdef";

describe("the Worker's configuration", () => {
  it("runs inside workerd", () => {
    const { navigator } = globalThis as unknown as { navigator: { userAgent: string } };
    expect(navigator.userAgent).toBe("Cloudflare-Workers");
  });

  it("keeps only the hash of each TOOLBRIDGE_API_KEYS entry in the store", async () => {
    await clientsFor(inject("apiKey")).tools.listTools({});
    const redis = new Redis({ url: inject("upstashUrl"), token: inject("upstashToken"), automaticDeserialization: false, enableTelemetry: false });
    expect(await redis.exists(`tb:key:${await hashApiKey(inject("apiKey"))}`)).toBe(1);
    const keys = await redis.keys("*");
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => key.includes(inject("apiKey")) || key.includes(inject("limitedKey")))).toEqual([]);
  });

  it.each([
    ["no store", { TOOLBRIDGE_RUNTIME_KEY: runtimeKey }, /UPSTASH_REDIS_REST_URL/],
    ["the Node-only Redis URL", { TOOLBRIDGE_RUNTIME_KEY: runtimeKey, TOOLBRIDGE_REDIS_URL: "redis://127.0.0.1:6379" }, /TOOLBRIDGE_REDIS_URL is for the Node gateway/],
    ["no runtime key", { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t" }, /set TOOLBRIDGE_RUNTIME_KEY/],
    [
      "a malformed TOOLBRIDGE_API_KEYS",
      { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t", TOOLBRIDGE_RUNTIME_KEY: runtimeKey, TOOLBRIDGE_API_KEYS: "short=acme" },
      /TOOLBRIDGE_API_KEYS entry 1/,
    ],
  ])("answers FAILED_PRECONDITION naming the problem with %s", async (_, env, message) => {
    const error = await rejection(toolsWith(env).listTools({}));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/^the gateway is misconfigured: /);
    expect(error.rawMessage).toMatch(message);
    expect(error.rawMessage).not.toContain("short=acme");
  });

  it.each([
    ["a tool named like a standard tool", { name: "http_get", description: "", parameters: { type: "object" }, run: () => null }, /two gateway tools are named 'http_get'/],
    ["an ill-defined tool", { name: "bad name", description: "", parameters: { type: "object" }, run: () => null }, /tool 'bad name' is ill-defined/],
  ])("answers FAILED_PRECONDITION naming the entry's tools when it gives %s", async (_, tool, message) => {
    const env = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:1", UPSTASH_REDIS_REST_TOKEN: "t", TOOLBRIDGE_RUNTIME_KEY: runtimeKey };
    const error = await rejection(toolsWith(env, { tools: [tool] }).listTools({}));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.rawMessage).toMatch(/^the gateway is misconfigured: the Worker's tools: /);
    expect(error.rawMessage).toMatch(message);
  });

  it("answers UNAVAILABLE, without the token, while the store refuses the keys' provisioning", async () => {
    const wrongToken = "wrong-token-0123456789abcdef";
    const tools = toolsWith({
      UPSTASH_REDIS_REST_URL: inject("upstashUrl"),
      UPSTASH_REDIS_REST_TOKEN: wrongToken,
      TOOLBRIDGE_RUNTIME_KEY: inject("runtimeKey"),
      TOOLBRIDGE_API_KEYS: `${inject("apiKey")}=acme`,
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await rejection(tools.listTools({}, { headers: { authorization: `Bearer ${inject("apiKey")}` } }));
      expect(error.code).toBe(Code.Unavailable);
      expect(error.rawMessage).toMatch(/^the gateway cannot reach its store: /);
      expect(error.rawMessage).not.toContain(wrongToken);
    }
  });
});
