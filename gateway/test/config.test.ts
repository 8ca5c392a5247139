import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, parseApiKeys } from "../src/config.js";

describe("gateway configuration", () => {
  it("defaults to 127.0.0.1:8080, the memory store, a generated runtime key and no open access", () => {
    const config = loadConfig([], {});
    expect(config).toMatchObject({ host: "127.0.0.1", port: 8080, store: { kind: "memory" }, insecure: false, runtimeKeyGenerated: true });
    expect(config.runtimeKey.length).toBeGreaterThanOrEqual(32);
  });

  it("takes flags over the environment", () => {
    const config = loadConfig(["--port", "0", "--insecure"], { TOOLBRIDGE_GATEWAY_PORT: "9000", TOOLBRIDGE_GATEWAY_HOST: "0.0.0.0" });
    expect(config).toMatchObject({ host: "0.0.0.0", port: 0, insecure: true });
  });

  it("chooses the store from the environment", () => {
    expect(loadConfig([], { TOOLBRIDGE_REDIS_URL: "redis://127.0.0.1:6379" }).store).toEqual({ kind: "redis", url: "redis://127.0.0.1:6379" });
    expect(loadConfig([], { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079", UPSTASH_REDIS_REST_TOKEN: "t" }).store).toEqual({
      kind: "upstash",
      url: "http://127.0.0.1:8079",
      token: "t",
    });
    expect(() => loadConfig([], { UPSTASH_REDIS_REST_URL: "http://x" })).toThrow(/set both/);
    expect(() => loadConfig([], { TOOLBRIDGE_REDIS_URL: "http://x" })).toThrow(ConfigError);
  });

  it("parses API keys with their org and allowed tools", () => {
    expect(parseApiKeys("key-aaaaaaaaaaaaaaaa=acme; key-bbbbbbbbbbbbbbbb=beta:echo, reverse_text\nkey-cccccccccccccccc=gamma:*")).toEqual([
      { key: "key-aaaaaaaaaaaaaaaa", record: { orgId: "acme", allowedTools: "all", label: "from TOOLBRIDGE_API_KEYS" } },
      { key: "key-bbbbbbbbbbbbbbbb", record: { orgId: "beta", allowedTools: ["echo", "reverse_text"], label: "from TOOLBRIDGE_API_KEYS" } },
      { key: "key-cccccccccccccccc", record: { orgId: "gamma", allowedTools: "all", label: "from TOOLBRIDGE_API_KEYS" } },
    ]);
  });

  it("refuses short keys and odd orgs without echoing the key", () => {
    expect(() => parseApiKeys("short=acme")).toThrow(/entry 1: expected key=org/);
    try {
      parseApiKeys("key-aaaaaaaaaaaaaaaa=no spaces");
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/entry 1: org must be/);
      expect((err as Error).message).not.toContain("key-aaaa");
    }
  });

  it("reads store limits, leaving the rest to their defaults", () => {
    expect(loadConfig([], { TOOLBRIDGE_MAX_SESSIONS: "5" }).limits).toEqual({ maxSessions: 5, maxVariablesPerSession: undefined });
    expect(() => loadConfig([], { TOOLBRIDGE_MAX_VARIABLES_PER_SESSION: "0" })).toThrow(/TOOLBRIDGE_MAX_VARIABLES_PER_SESSION must be/);
  });

  it("refuses a bad port, log level or runtime key", () => {
    expect(() => loadConfig(["--port", "70000"], {})).toThrow(/port must be a whole number/);
    expect(() => loadConfig(["--log-level", "loud"], {})).toThrow(/log level/);
    expect(() => loadConfig([], { TOOLBRIDGE_RUNTIME_KEY: "short" })).toThrow(/at least 16/);
    expect(() => loadConfig(["--bogus"], {})).toThrow(ConfigError);
  });

  it("turns the standard tools on by default, and reads http_get's allowlist", () => {
    expect(loadConfig([], {})).toMatchObject({ standardTools: true, httpGetAllow: [] });
    expect(loadConfig([], { TOOLBRIDGE_STANDARD_TOOLS: "0" }).standardTools).toBe(false);
    expect(loadConfig([], { TOOLBRIDGE_HTTP_GET_ALLOW: "127.0.0.1:8123, internal.example" }).httpGetAllow).toEqual([
      "127.0.0.1:8123",
      "internal.example",
    ]);
    expect(() => loadConfig([], { TOOLBRIDGE_HTTP_GET_ALLOW: "host:99999" })).toThrow(/TOOLBRIDGE_HTTP_GET_ALLOW: .*port must be 1 to 65535/);
    expect(() => loadConfig([], { TOOLBRIDGE_STANDARD_TOOLS: "yes" })).toThrow(/TOOLBRIDGE_STANDARD_TOOLS must be 1 or 0/);
  });

  it("reads TOOLBRIDGE_TOOL_MODULES as a comma-separated list, none by default", () => {
    expect(loadConfig([], {}).toolModules).toEqual([]);
    expect(loadConfig([], { TOOLBRIDGE_TOOL_MODULES: "./tools.mjs, /srv/more.js,,my-tools-package" }).toolModules).toEqual([
      "./tools.mjs",
      "/srv/more.js",
      "my-tools-package",
    ]);
  });
});
