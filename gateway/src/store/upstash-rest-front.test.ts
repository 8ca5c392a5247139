import { Redis } from "@upstash/redis/cloudflare";
import { createClient, RESP_TYPES } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstashRest } from "../../../infra/upstash-rest/front.mjs";
import { type RedisServer, startRedis } from "../../../test/support/redis.js";

// The REST front (infra/upstash-rest) against a real redis-server: what @upstash/redis sends and
// expects, byte for byte. Started in-process here to set a small body limit; the store tests
// start it as a program.
let server: RedisServer;
let front: { url: string; close(): Promise<void> };
let raw: ReturnType<typeof createClient>;
const token = "front-test-token";

beforeAll(async () => {
  server = await startRedis();
  front = await startUpstashRest({ redisUrl: server.url, token, maxBodyBytes: 4096, log: () => {} });
  raw = createClient({ url: server.url });
  await raw.connect();
});
afterAll(async () => {
  raw?.destroy();
  await front?.close();
  await server?.stop();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${front.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { result?: unknown; error?: string } & unknown[] };
}

const base64 = { "Upstash-Encoding": "base64" };
const b64 = (text: string) => Buffer.from(text).toString("base64");

describe("upstash REST front", () => {
  it("requires the bearer token", async () => {
    for (const authorization of [undefined, "Bearer wrong", `Basic ${token}`, `Bearer ${token}x`]) {
      const res = await fetch(front.url, { method: "POST", headers: authorization ? { authorization } : {}, body: '["PING"]' });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "Unauthorized" });
    }
  });

  it("returns the exact bytes of binary values in base64, and UTF-8 text without it", async () => {
    await raw.set("bin", Buffer.from([0x00, 0xff, 0xfe, 0x41]));
    expect((await post("/", ["GET", "bin"], base64)).body).toEqual({ result: "AP/+QQ==" });
    await post("/", ["SET", "text", "héllo 😀"]);
    expect((await post("/", ["GET", "text"])).body).toEqual({ result: "héllo 😀" });
    expect((await post("/", ["GET", "text"], base64)).body).toEqual({ result: b64("héllo 😀") });
    await post("/", ["SET", "empty", ""]);
    expect((await post("/", ["GET", "empty"], base64)).body).toEqual({ result: "" });
    expect((await post("/", ["GET", "missing"], base64)).body).toEqual({ result: null });
  });

  it("encodes strings at every depth, keeps integers and nulls", async () => {
    await post("/", ["DEL", "s", "h"]);
    await post("/", ["XADD", "s", "5-1", "k", "v1"]);
    await post("/", ["XADD", "s", "5-2", "k", "OK"]);
    const stream = (await post("/", ["XRANGE", "s", "-", "+"], base64)).body.result;
    expect(stream).toEqual([
      [b64("5-1"), [b64("k"), b64("v1")]],
      [b64("5-2"), [b64("k"), b64("OK")]],
    ]);
    await post("/", ["HSET", "h", "a", "1"]);
    expect((await post("/", ["HMGET", "h", "a", "zz"], base64)).body.result).toEqual([b64("1"), null]);
    expect((await post("/", ["HINCRBY", "h", "n", 5], base64)).body.result).toBe(5);
    expect((await post("/", ["SET", "k", "v"], base64)).body.result).toBe(b64("OK"));
  });

  it("turns numbers and booleans into arguments", async () => {
    await post("/", ["SET", "num", 12.5]);
    await post("/", ["SET", "bool", true]);
    expect((await post("/", ["MGET", "num", "bool"])).body.result).toEqual(["12.5", "true"]);
    const bad = await post("/", ["SET", "k", { a: 1 }]);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toContain("argument 2 is object");
  });

  it("answers a refused command with 400 and the Redis error", async () => {
    const res = await post("/", ["INCR", "text"]);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("ERR value is not an integer or out of range");
  });

  it("runs a pipeline in order with an entry per command, errors included", async () => {
    const res = await post("/pipeline", [["SET", "p", "1"], ["INCR", "p"], ["INCR", "text"], ["GET", "p"]], base64);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([{ result: b64("OK") }, { result: 2 }, { error: "ERR value is not an integer or out of range" }, { result: b64("2") }]);
  });

  it("runs multi-exec atomically, failing the whole transaction on a queueing error", async () => {
    const ok = await post("/multi-exec", [["SET", "m", "1"], ["INCR", "m"], ["INCR", "text"]], base64);
    expect(ok.body).toEqual([{ result: b64("OK") }, { result: 2 }, { error: "ERR value is not an integer or out of range" }]);
    const aborted = await post("/multi-exec", [["SET", "m", "9"], ["GET"]]);
    expect(aborted.status).toBe(400);
    expect(aborted.body.error).toMatch(/^EXECABORT/);
    expect((await post("/", ["GET", "m"])).body.result).toBe("2");
  });

  it("refuses blocking and connection-state commands", async () => {
    for (const command of [["BLPOP", "l", "0"], ["XREAD", "BLOCK", "0", "STREAMS", "s", "$"], ["MULTI"], ["SELECT", "1"], ["SUBSCRIBE", "c"]]) {
      const res = await post("/", command);
      expect(res.status, command[0]).toBe(400);
      expect(res.body.error).toContain("not supported over REST");
    }
  });

  it("refuses bad requests clearly", async () => {
    expect((await post("/", "not json")).status).toBe(400);
    expect((await post("/", [])).status).toBe(400);
    expect((await post("/pipeline", ["GET", "k"])).status).toBe(400);
    expect((await post("/elsewhere", ["GET", "k"])).status).toBe(404);
    expect((await post("/", ["SET", "big", "x".repeat(5000)])).status).toBe(413);
    const get = await fetch(front.url, { headers: { authorization: `Bearer ${token}` } });
    expect(get.status).toBe(405);
  });

  it("serves @upstash/redis: scripts, pipelines and transactions", async () => {
    const redis = new Redis({ url: front.url, token, automaticDeserialization: false, enableTelemetry: false, retry: false });
    const sha = await redis.scriptLoad("return {KEYS[1], ARGV[1], 7, false}");
    expect(await redis.evalsha(sha, ["key"], ["héllo"])).toEqual(["key", "héllo", 7, null]);
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
    const [a, b] = await Promise.all([redis.set("auto", "1"), redis.incr("auto")]);
    expect([a, b]).toEqual(["OK", 2]);
    const tx = redis.multi();
    tx.set("tx", "1");
    tx.incr("tx");
    expect(await tx.exec()).toEqual(["OK", 2]);
    const raw16 = await raw.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get("tx");
    expect(raw16).toEqual(Buffer.from("2"));
  });
});
