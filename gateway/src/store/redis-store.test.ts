import { createClient, type RedisClientType } from "redis";
import { afterAll, beforeAll } from "vitest";
import { type RedisServer, startRedis } from "../../../test/support/redis.js";
import { describeStoreConformance } from "./conformance.js";
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
  ttlMs: 500,
  async sessionKeys(store, sessionId) {
    const { prefix } = made.get(store) as { prefix: string };
    return (await inspector.keys(`${prefix}{${sessionId}}*`)).sort();
  },
});
