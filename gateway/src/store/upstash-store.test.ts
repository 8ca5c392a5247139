import { createClient, type RedisClientType } from "redis";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisServer, startRedis } from "../../../test/support/redis.js";
import { startUpstashRest, type UpstashRest } from "../../../test/support/upstash-rest.js";
import { describeStoreConformance } from "./conformance.js";
import { rejection } from "./conformance/support.js";
import type { Store, StoreOptions } from "./store.js";
import { createUpstashStore } from "./upstash-store.js";

// @upstash/redis against a real redis-server behind the REST front (infra/upstash-rest).
let server: RedisServer;
// A plain client beside the store, to look at the keys it leaves.
let inspector: RedisClientType;
let rest: UpstashRest;
beforeAll(async () => {
  server = await startRedis();
  inspector = createClient({ url: server.url });
  await inspector.connect();
  rest = await startUpstashRest(server.url);
});
afterAll(async () => {
  inspector?.destroy();
  await rest?.stop();
  await server?.stop();
});

const made = new WeakMap<Store, { prefix: string; options: StoreOptions }>();
const open = (prefix: string, options: StoreOptions) =>
  createUpstashStore({ ...options, url: rest.url, token: rest.token, prefix, pollMs: 10, retry: false });

describeStoreConformance("upstash", {
  async create(options = {}) {
    const prefix = `test-${crypto.randomUUID()}:`;
    const store = open(prefix, options);
    made.set(store, { prefix, options });
    return store;
  },
  async sibling(store) {
    const { prefix, options } = made.get(store) as { prefix: string; options: StoreOptions };
    return open(prefix, options);
  },
  elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ttlMs: 800,
  async sessionKeys(store, sessionId) {
    const { prefix } = made.get(store) as { prefix: string };
    return (await inspector.keys(`${prefix}{${sessionId}}*`)).sort();
  },
});

describe("upstash store", () => {
  it("loads its scripts again after SCRIPT FLUSH", async () => {
    const store = createUpstashStore({ url: rest.url, token: rest.token, retry: false, prefix: `test-${crypto.randomUUID()}:` });
    try {
      await store.createSession({ id: "s", orgId: "o", ttlMs: 60_000 });
      await inspector.scriptFlush();
      expect((await store.commit("s", { writes: [{ name: "v", type: "integer", value: 1 }] })).variables[0].version).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("fails UNAVAILABLE when the REST endpoint is down", async () => {
    const own = await startUpstashRest(server.url);
    const store = createUpstashStore({ url: own.url, token: own.token, retry: false, prefix: `test-${crypto.randomUUID()}:` });
    try {
      await store.createSession({ id: "s", orgId: "o", ttlMs: 60_000 });
      await own.stop();
      const err = await rejection(store.getVariable("s", "v"));
      expect(err.code).toBe(Code.Unavailable);
    } finally {
      await store.close();
    }
  });

  it("maps a refused store token to UNAVAILABLE without echoing the token", async () => {
    const store = createUpstashStore({ url: rest.url, token: "wrong-token", retry: false });
    const err = await rejection(store.countSessions());
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).not.toContain("wrong-token");
    await store.close();
  });
});
