import { createClient, type RedisClientType } from "redis";
import { Code } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../../test/support/free-port.js";
import { type RedisServer, startRedis } from "../../../test/support/redis.js";
import { describeStoreConformance } from "./conformance.js";
import { rejection } from "./conformance/support.js";
import { createRedisStore } from "./redis-store.js";
import type { Store, StoreOptions } from "./store.js";

// A real redis-server on a free port; each store gets its own key prefix, and siblings share it.
let server: RedisServer;
// A plain client beside the store, to look at the keys it leaves.
let inspector: RedisClientType;
beforeAll(async () => {
  server = await startRedis();
  inspector = createClient({ url: server.url });
  await inspector.connect();
});
afterAll(async () => {
  inspector?.destroy();
  await server?.stop();
});

/** Calls per command from INFO commandstats ("cmdstat_get:calls=3,..."). */
function commandCalls(info: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const [, name, count] of info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)) calls[name] = Number(count);
  return calls;
}

const made = new WeakMap<Store, { prefix: string; options: StoreOptions }>();

describeStoreConformance("redis", {
  async create(options = {}) {
    const prefix = `test-${crypto.randomUUID()}:`;
    const store = await createRedisStore({ ...options, url: server.url, prefix });
    made.set(store, { prefix, options });
    return store;
  },
  async sibling(store) {
    const { prefix, options } = made.get(store) as { prefix: string; options: StoreOptions };
    return createRedisStore({ ...options, url: server.url, prefix });
  },
  elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ttlMs: 800,
  async sessionKeys(store, sessionId) {
    const { prefix } = made.get(store) as { prefix: string };
    return (await inspector.keys(`${prefix}{${sessionId}}*`)).sort();
  },
});

describe("redis store", () => {
  it("loads its scripts again after SCRIPT FLUSH", async () => {
    const store = await createRedisStore({ url: server.url, prefix: `test-${crypto.randomUUID()}:` });
    try {
      await store.createSession({ id: "s", orgId: "o", ttlMs: 60_000 });
      await inspector.scriptFlush();
      expect((await store.commit("s", { writes: [{ name: "v", type: "integer", value: 1 }] })).variables[0].version).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("makes one EVALSHA per SetVariable and GetVariable, and reads no tombstone while the session lives", async () => {
    // A redis-server of its own, so that its command statistics (which count the commands run
    // inside scripts too) hold only this test's commands.
    const own = await startRedis();
    const stats = createClient({ url: own.url });
    const store = await createRedisStore({ url: own.url });
    try {
      await stats.connect();
      await store.createSession({ id: "hot", orgId: "o", ttlMs: 60_000 });
      // Loads the scripts before counting.
      await store.commit("hot", { writes: [{ name: "v", type: "integer", value: 0 }] });
      await store.getVariable("hot", "v");
      await stats.configResetStat();
      for (let i = 1; i <= 10; i++) {
        await store.commit("hot", { writes: [{ name: "v", type: "integer", value: i }] });
        expect((await store.getVariable("hot", "v"))?.value).toBe(i);
      }
      const calls = commandCalls(await stats.info("commandstats"));
      expect(calls.evalsha).toBe(20);
      // The tombstone slides in the same scripts: one PEXPIRE beside the four of the session's keys.
      expect(calls.pexpire).toBe(20 * 5);
      // Only a miss reads it; nothing is loaded again.
      expect([calls.get, calls.pttl, calls.exists, calls.script, calls.eval]).toEqual([undefined, undefined, undefined, undefined, undefined]);
    } finally {
      stats.destroy();
      await store.close();
      await own.stop();
    }
  });

  it("keeps a session's tombstone for its TTL and a day, and a day after cleanup", async () => {
    const prefix = `test-${crypto.randomUUID()}:`;
    const store = await createRedisStore({ url: server.url, prefix });
    const day = 24 * 3600 * 1000;
    try {
      await store.createSession({ id: "t", orgId: "o", ttlMs: 60_000 });
      const live = await inspector.pTTL(`${prefix}{t}:x`);
      expect(live).toBeGreaterThan(60_000 + day - 5000);
      expect(live).toBeLessThanOrEqual(60_000 + day);
      await store.deleteSession("t");
      const cleaned = await inspector.pTTL(`${prefix}{t}:x`);
      expect(cleaned).toBeGreaterThan(day - 5000);
      expect(cleaned).toBeLessThanOrEqual(day);
    } finally {
      await store.close();
    }
  });

  it("fails UNAVAILABLE at once when Redis cannot be reached at start", async () => {
    const err = await rejection(createRedisStore({ url: `redis://127.0.0.1:${await freePort()}` }));
    expect(err.code).toBe(Code.Unavailable);
  });

  it("fails UNAVAILABLE while Redis is down, without waiting", async () => {
    const own = await startRedis();
    const store = await createRedisStore({ url: own.url });
    try {
      await store.createSession({ id: "s", orgId: "o", ttlMs: 60_000 });
      await own.stop();
      const err = await rejection(store.getVariable("s", "v"));
      expect(err.code).toBe(Code.Unavailable);
      expect(err.rawMessage).toContain("the session store is unavailable");
    } finally {
      await store.close();
      await own.stop();
    }
  });
});
