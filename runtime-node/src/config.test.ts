import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const base = ["--key", "config-test-key-0123456789"];

describe("loadConfig, defaults and precedence", () => {
  it("binds 127.0.0.1:50051 with one worker per CPU and a 10 MiB message limit by default", () => {
    expect(loadConfig(base, {})).toMatchObject({
      host: "127.0.0.1",
      port: 50051,
      workers: availableParallelism(),
      maxMessageBytes: 10 * 1024 * 1024,
    });
  });

  // One value per setting, each different from its default.
  const fromEnv = {
    TOOLBRIDGE_HOST: "0.0.0.0",
    TOOLBRIDGE_PORT: "6000",
    TOOLBRIDGE_WORKERS: "3",
    TOOLBRIDGE_MAX_MESSAGE_BYTES: "2048",
    TOOLBRIDGE_MODULES: "a,b",
  };

  it("reads each setting from its environment variable when no flag gives it", () => {
    expect(loadConfig(base, fromEnv)).toMatchObject({ host: "0.0.0.0", port: 6000, workers: 3, maxMessageBytes: 2048, modules: ["a", "b"] });
  });

  it("lets a flag win over its environment variable", () => {
    const env = { ...fromEnv, TOOLBRIDGE_RUNTIME_KEY: "env-key-0123456789" };
    const argv = [
      ...["--host", "::1", "--port", "7000", "--workers", "5", "--max-message-bytes", "4096", "--module", "c"],
      ...["--key", "flag-key-0123456789"],
    ];
    expect(loadConfig(argv, env)).toMatchObject({
      host: "::1",
      port: 7000,
      workers: 5,
      maxMessageBytes: 4096,
      modules: ["c"],
      key: "flag-key-0123456789",
    });
  });

  it("does not look at a variable its flag overrides, even a malformed one", () => {
    expect(loadConfig([...base, "--workers", "2"], { TOOLBRIDGE_WORKERS: "many" }).workers).toBe(2);
    expect(() => loadConfig(base, { TOOLBRIDGE_WORKERS: "many" })).toThrow(
      'TOOLBRIDGE_WORKERS must be a whole number from 1 to 256 (got "many")',
    );
  });
});

describe("loadConfig, the bridge's flags", () => {
  it("reads the gateway, public URL, TypeScript modules, object modules and call depth from flags", () => {
    const config = loadConfig(
      [...base, "--gateway-url", "http://gw:8080/", "--public-url", "https://rt.example:443", "--ts-module", "a.js", "--ts-module", "b.js",
        "--object-module", "fractions", "--max-call-depth", "5"],
      {},
    );
    expect(config).toMatchObject({
      gatewayUrl: "http://gw:8080",
      publicUrl: "https://rt.example:443",
      tsModules: ["a.js", "b.js"],
      objectModules: ["fractions"],
      maxCallDepth: 5,
    });
  });

  it("reads them from the environment, lists comma-separated", () => {
    const config = loadConfig(base, {
      TOOLBRIDGE_GATEWAY_URL: "http://gw:8080",
      TOOLBRIDGE_TS_MODULES: "a.js, b.js",
      TOOLBRIDGE_OBJECT_MODULES: "fractions,decimal",
      TOOLBRIDGE_MAX_CALL_DEPTH: "3",
    });
    expect([config.gatewayUrl, config.tsModules, config.objectModules, config.maxCallDepth]).toEqual([
      "http://gw:8080",
      ["a.js", "b.js"],
      ["fractions", "decimal"],
      3,
    ]);
  });

  it("has no gateway, no TypeScript or object modules and a depth of 8 by default", () => {
    expect(loadConfig(base, {})).toMatchObject({ gatewayUrl: undefined, publicUrl: undefined, tsModules: [], objectModules: [], maxCallDepth: 8 });
  });

  it.each([
    [["--gateway-url", "gw:8080"], /--gateway-url must be an http:\/\/ or https:\/\/ URL/],
    [["--gateway-url", "not a url"], /--gateway-url must be a URL/],
    [["--public-url", "ftp://x"], /--public-url must be an http:\/\/ or https:\/\/ URL/],
    [["--max-call-depth", "0"], /--max-call-depth must be a whole number from 1 to 64/],
  ])("refuses %j", (args, message) => {
    expect(() => loadConfig([...base, ...args], {})).toThrow(ConfigError);
    expect(() => loadConfig([...base, ...args], {})).toThrow(message);
  });

  it("refuses a gateway without a key (--insecure)", () => {
    expect(() => loadConfig(["--insecure", "--gateway-url", "http://gw:8080"], {})).toThrow(/--gateway-url needs the runtime key/);
  });
});
