import { Code } from "@connectrpc/connect";
import { errorInfoOf } from "@toolbridge/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HttpFixture, startHttpFixture } from "../../../test/support/http-fixture.js";
import { failure, runTool } from "../../../test/support/run-tool.js";
import { createNodeHttpGetFetch, type ResolveAll } from "../../adapter/node-http-get.js";
import { parseAllowlist } from "./address-policy.js";
import { type HttpGetOptions, httpGetTool } from "./http-get.js";

let allowed: HttpFixture;
let other: HttpFixture;

beforeAll(async () => {
  [allowed, other] = await Promise.all([startHttpFixture(), startHttpFixture()]);
});

afterAll(async () => {
  await Promise.all([allowed?.close(), other?.close()]);
});

/** Names the tests resolve themselves: a DNS answer is whatever the test says. */
const fakeDns: Record<string, string[]> = {
  "rebind.test": ["127.0.0.1"],
  "mixed.test": ["93.184.216.34", "10.0.0.7"],
  "metadata.test": ["169.254.169.254"],
  "mapped.test": ["::ffff:127.0.0.1"],
};
const resolve: ResolveAll = async (hostname) => {
  const addresses = fakeDns[hostname];
  if (addresses === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

const tool = (options: Omit<HttpGetOptions, "allow"> & { allow?: string[] } = {}) =>
  httpGetTool({ fetch: createNodeHttpGetFetch({ resolve }), ...options, allow: parseAllowlist(options.allow ?? [`127.0.0.1:${allowed.port}`]) });
const get = async (args: Record<string, unknown>, options?: Parameters<typeof tool>[0]) =>
  (await runTool(tool(options), args as never)).value as Record<string, any>;

describe("http_get", () => {
  it("fetches text from an allowed host with its status and headers", async () => {
    const result = await get({ url: `${allowed.url}/text` });
    expect(result).toMatchObject({
      url: `${allowed.url}/text`,
      status: 200,
      status_text: "OK",
      content_type: "text/plain; charset=utf-8",
      body: "héllo wörld",
      encoding: "text",
      bytes: 13,
      truncated: false,
      redirects: 0,
    });
    expect(result.headers).toMatchObject({ "x-fixture": "yes", "content-type": "text/plain; charset=utf-8" });
  });

  it("returns a binary body as base64, and an HTTP error status as a result", async () => {
    expect(await get({ url: `${allowed.url}/bytes` })).toMatchObject({ body: "AAEC/f7/", encoding: "base64", bytes: 6 });
    expect(await get({ url: `${allowed.url}/status/503` })).toMatchObject({ status: 503, body: "status 503" });
  });

  it("refuses a loopback address the allowlist does not name with PERMISSION_DENIED", async () => {
    const error = await failure(get({ url: `${other.url}/text` }));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toMatch(/^http_get refuses 127\.0\.0\.1:\d+: it is \(or resolves to\) 127\.0\.0\.1, which is not a public address/);
    expect(errorInfoOf(error)).toMatchObject({ field: "/url", tool: "http_get" });
    expect(other.requests).toHaveLength(0);
  });

  it("refuses literal private, link-local, metadata, unspecified and mapped addresses and localhost names", async () => {
    for (const url of [
      "http://10.1.2.3/",
      "http://192.168.0.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://0.0.0.0/",
      "http://100.64.0.1/",
      "http://[::1]/",
      "http://[fd00:ec2::254]/",
      "http://[::ffff:127.0.0.1]/",
      "http://0x7f.1/",
      "http://2130706433/",
      "http://localhost/",
      "http://api.localhost/",
    ]) {
      const error = await failure(get({ url }));
      expect({ url, code: error.code }).toEqual({ url, code: Code.PermissionDenied });
    }
  });

  it("checks every DNS answer, and connects to the address it checked", async () => {
    const mixed = await failure(get({ url: "http://mixed.test/" }));
    expect(mixed.code).toBe(Code.PermissionDenied);
    expect(mixed.rawMessage).toMatch(/resolves to\) 10\.0\.0\.7/);
    expect((await failure(get({ url: "http://metadata.test/" }))).code).toBe(Code.PermissionDenied);
    expect((await failure(get({ url: "http://mapped.test/" }))).code).toBe(Code.PermissionDenied);
    // An allowlisted name that resolves to loopback: the connection goes to the address DNS gave.
    const result = await get({ url: `http://rebind.test:${allowed.port}/headers` }, { allow: [`rebind.test:${allowed.port}`] });
    expect(JSON.parse(result.body)).toMatchObject({ host: `rebind.test:${allowed.port}` });
  });

  it("follows redirects, re-checking each hop", async () => {
    const followed = await get({ url: `${allowed.url}/redirect?to=/json` });
    expect(followed).toMatchObject({ url: `${allowed.url}/json`, status: 200, body: '{"ok":true}', redirects: 1 });
    const toLoopback = await failure(get({ url: `${allowed.url}/redirect?to=${encodeURIComponent(`${other.url}/text`)}` }));
    expect(toLoopback.code).toBe(Code.PermissionDenied);
    expect(other.requests).toHaveLength(0);
    const toMetadata = await failure(get({ url: `${allowed.url}/redirect?to=${encodeURIComponent("http://169.254.169.254/")}&status=307` }));
    expect(toMetadata.code).toBe(Code.PermissionDenied);
    const toFile = await failure(get({ url: `${allowed.url}/redirect?to=${encodeURIComponent("file:///etc/passwd")}` }));
    expect(toFile.code).toBe(Code.PermissionDenied);
    expect(toFile.rawMessage).toMatch(/only http and https/);
  });

  it("stops after the redirect limit with RESOURCE_EXHAUSTED, and returns a redirect itself when asked", async () => {
    const error = await failure(get({ url: `${allowed.url}/loop` }, { maxRedirects: 3 }));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toBe("http_get followed 3 redirects and was redirected again; it stops there");
    expect(await get({ url: `${allowed.url}/loop`, follow_redirects: false })).toMatchObject({ status: 302, headers: { location: "/loop" } });
  });

  it("sends the caller's headers, but not across origins after a redirect", async () => {
    const both = [`127.0.0.1:${allowed.port}`, `127.0.0.1:${other.port}`];
    const same = await get({ url: `${allowed.url}/headers`, headers: { authorization: "Bearer secret", "x-a": "1" } }, { allow: both });
    expect(JSON.parse(same.body)).toMatchObject({ authorization: "Bearer secret", "x-a": "1" });
    const cross = await get(
      { url: `${allowed.url}/redirect?to=${encodeURIComponent(`${other.url}/headers`)}`, headers: { authorization: "Bearer secret" } },
      { allow: both },
    );
    expect(JSON.parse(cross.body).authorization).toBeUndefined();
  });

  it("refuses a body past max_bytes with RESOURCE_EXHAUSTED, or truncates it when asked", async () => {
    const declared = await failure(get({ url: `${allowed.url}/big?n=5000`, max_bytes: 1000 }));
    expect(declared.code).toBe(Code.ResourceExhausted);
    expect(declared.rawMessage).toMatch(/is 5000 bytes, more than max_bytes \(1000\)/);
    const streamed = await failure(get({ url: `${allowed.url}/chunked?n=5000`, max_bytes: 1000 }));
    expect(streamed.code).toBe(Code.ResourceExhausted);
    expect(await get({ url: `${allowed.url}/chunked?n=5000`, max_bytes: 1000, truncate: true })).toMatchObject({
      body: "y".repeat(1000),
      bytes: 1000,
      truncated: true,
    });
    expect(await get({ url: `${allowed.url}/big?n=1000`, max_bytes: 1000 })).toMatchObject({ bytes: 1000, truncated: false });
  });

  it("ends a fetch past timeout_ms with DEADLINE_EXCEEDED and closes its connection", async () => {
    const error = await failure(get({ url: `${allowed.url}/hang`, timeout_ms: 100 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(error.rawMessage).toMatch(/^http_get did not get the whole answer from 127\.0\.0\.1:\d+ within 100 ms$/);
    await allowed.hangClosed();
  });

  it("answers UNAVAILABLE for a name that does not resolve and a port that refuses", async () => {
    const unknown = await failure(get({ url: "http://nowhere.test/" }));
    expect(unknown.code).toBe(Code.Unavailable);
    expect(unknown.rawMessage).toBe("http_get could not resolve nowhere.test");
    const closed = await startHttpFixture();
    await closed.close();
    const refused = await failure(get({ url: `${closed.url}/` }, { allow: [`127.0.0.1:${closed.port}`] }));
    expect(refused.code).toBe(Code.Unavailable);
    expect(refused.rawMessage).toMatch(/could not connect to 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it("refuses a bad URL, another scheme, credentials in the URL and reserved headers with INVALID_ARGUMENT", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: "not a url" }, "/url"],
      [{ url: "ftp://example.com/" }, "/url"],
      [{ url: "http://user:pw@example.com/" }, "/url"],
      [{ url: `${allowed.url}/`, headers: { host: "x" } }, "/headers"],
      [{ url: `${allowed.url}/`, headers: { "accept-encoding": "gzip" } }, "/headers"],
      [{ url: `${allowed.url}/`, headers: { "bad name": "x" } }, "/headers"],
      [{ url: `${allowed.url}/`, max_bytes: 10 * 1024 * 1024 }, "/max_bytes"],
      [{ url: `${allowed.url}/`, timeout_ms: 0 }, "/timeout_ms"],
    ];
    for (const [args, field] of cases) {
      const error = await failure(get(args));
      expect({ args, code: error.code, field: errorInfoOf(error).field }).toEqual({ args, code: Code.InvalidArgument, field });
    }
  });

  it("works with the platform's fetch too, checking literal addresses", async () => {
    const web = (allow: string[]) => httpGetTool({ allow: parseAllowlist(allow) });
    expect((await failure(runTool(web([]), { url: `${allowed.url}/text` }))).code).toBe(Code.PermissionDenied);
    const result = (await runTool(web([`127.0.0.1:${allowed.port}`]), { url: `${allowed.url}/redirect?to=/text` })).value as Record<string, unknown>;
    expect(result).toMatchObject({ status: 200, body: "héllo wörld", redirects: 1 });
  });
});
