// The standard tools through the real gateway process (redis store, a real runtime beside them), with
// the Connect client over the Node fast path (binary, h2c), Connect JSON and gRPC-Web; http_get against
// local HTTP servers this test starts, one named by TOOLBRIDGE_HTTP_GET_ALLOW and one not.
import { Code } from "@connectrpc/connect";
import { errorInfoOf, fromValue } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clientsFor, clusterKeys, startCluster, transportKinds } from "../gateway/test/support/cluster.js";
import { startGateway } from "../gateway/test/support/gateway-process.js";
import { type HttpFixture, startHttpFixture } from "../gateway/test/support/http-fixture.js";
import { rejection } from "./support/rejection.js";

let cluster: Cluster;
let allowed: HttpFixture;
let refused: HttpFixture;

beforeAll(async () => {
  [allowed, refused] = await Promise.all([startHttpFixture(), startHttpFixture()]);
  cluster = await startCluster({ gatewayEnv: { TOOLBRIDGE_HTTP_GET_ALLOW: `127.0.0.1:${allowed.port}` } });
});

afterAll(async () => {
  await cluster?.stop();
  await Promise.all([allowed?.close(), refused?.close()]);
});

const kinds = transportKinds.filter((k) => ["Connect binary over HTTP/2", "Connect JSON over HTTP/1.1", "gRPC-Web over HTTP/1.1"].includes(k.name));

describe.each(kinds)("standard tools over $name", (kind) => {
  const call = async (tool: string, args: Record<string, unknown>, timeoutMs = 10_000) => {
    const c = cluster.clients(clusterKeys.acme, kind);
    try {
      const response = await c.tools.executeTool({ tool, args: args as never }, { timeoutMs });
      expect(response.runtimeId).toBe("gateway");
      return fromValue(response.result) as Record<string, any>;
    } finally {
      c.close();
    }
  };

  it("lists the four standard tools as the gateway's TypeScript tools", async () => {
    const c = cluster.clients(clusterKeys.acme, kind);
    const { tools } = await c.tools.listTools({});
    c.close();
    for (const name of ["validate_json", "format_datetime", "validate_regex", "http_get"]) {
      expect(tools.find((t) => t.name === name)).toMatchObject({ language: "typescript" });
    }
    expect(tools.find((t) => t.name === "reverse_text")?.language).toBe("python");
  });

  it("validate_json parses and validates against a schema", async () => {
    expect(await call("validate_json", { json_string: '{"n": 3}' })).toEqual({ valid: true, errors: [] });
    const schema = { type: "object", properties: { n: { type: "integer", maximum: 2 } } };
    expect(await call("validate_json", { json_string: '{"n": 3}', schema })).toEqual({
      valid: false,
      errors: [{ path: "/n", message: "3 is greater than 2." }],
    });
    expect((await call("validate_json", { json_string: "{oops" })).valid).toBe(false);
  });

  it("format_datetime formats in an IANA zone", async () => {
    expect(await call("format_datetime", { datetime: "2024-07-04T16:00:00Z", format: "%A %d %B %Y %H:%M %Z", timezone: "Europe/Paris" })).toMatchObject({
      formatted: "Thursday 04 July 2024 18:00 GMT+2",
      iso: "2024-07-04T18:00:00+02:00",
      utc_offset: "+02:00",
    });
    const bad = await rejection(call("format_datetime", { datetime: "2024-07-04", format: "%F", timezone: "Nowhere/Else" }));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(errorInfoOf(bad).field).toBe("/timezone");
  });

  it("validate_regex answers a catastrophic pattern within its bound", async () => {
    // (a+)+$ over a long run of a's then "!" takes a backtracking engine exponential time; RE2 is linear.
    const text = `${"a".repeat(30_000)}!`;
    expect(await call("validate_regex", { pattern: "(a+)+$", text }, 5000)).toMatchObject({ valid: true, matched: false, match_count: 0 });
    const tooMuch = await rejection(call("validate_regex", { pattern: "(a{1,50}b?){1,20}$", text }, 5000));
    expect(tooMuch.code).toBe(Code.ResourceExhausted);
    expect(tooMuch.rawMessage).toMatch(/shorten the text or simplify the pattern/);
    const lookahead = await rejection(call("validate_regex", { pattern: "a(?=b)", text: "ab" }));
    expect(lookahead.code).toBe(Code.InvalidArgument);
    expect(lookahead.rawMessage).toMatch(/RE2 syntax does not have/);
  });

  it("http_get fetches from the allowed host and refuses the one the allowlist does not name", async () => {
    expect(await call("http_get", { url: `${allowed.url}/text` })).toMatchObject({ status: 200, body: "héllo wörld", encoding: "text" });
    const error = await rejection(call("http_get", { url: `${refused.url}/text` }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toMatch(/not a public address/);
    expect(refused.requests).toEqual([]);
  });

  it("http_get refuses a redirect from the allowed host to a loopback address", async () => {
    const error = await rejection(call("http_get", { url: `${allowed.url}/redirect?to=${encodeURIComponent(`http://localhost:${refused.port}/text`)}` }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(refused.requests).toEqual([]);
  });

  it("http_get bounds size and time", async () => {
    const big = await rejection(call("http_get", { url: `${allowed.url}/chunked?n=50000`, max_bytes: 10_000 }));
    expect(big.code).toBe(Code.ResourceExhausted);
    expect(await call("http_get", { url: `${allowed.url}/big?n=50000`, max_bytes: 10_000, truncate: true })).toMatchObject({
      bytes: 10_000,
      truncated: true,
    });
    const slow = await rejection(call("http_get", { url: `${allowed.url}/hang`, timeout_ms: 200 }));
    expect(slow.code).toBe(Code.DeadlineExceeded);
    expect(slow.rawMessage).toMatch(/within 200 ms/);
    await allowed.hangClosed();
  });
});

describe("the standard tools turned off", () => {
  it("are not served with TOOLBRIDGE_STANDARD_TOOLS=0", async () => {
    const gateway = await startGateway({ TOOLBRIDGE_STANDARD_TOOLS: "0", TOOLBRIDGE_API_KEYS: `${clusterKeys.acme}=acme` });
    try {
      const c = clientsFor(gateway.url, clusterKeys.acme);
      expect((await c.tools.listTools({})).tools.map((t) => t.name)).not.toContain("http_get");
      expect((await rejection(c.tools.executeTool({ tool: "validate_json", args: { json_string: "1" } }))).code).toBe(Code.NotFound);
    } finally {
      await gateway.stop();
    }
  });
});
