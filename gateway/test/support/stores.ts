// The stores the service tests run against: memory (with a clock the test moves) and a real redis-server.
import { afterAll, beforeAll } from "vitest";
import { type RedisServer, startRedis } from "../../../test/support/redis.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { createRedisStore } from "../../src/store/redis-store.js";
import type { Store } from "../../src/store/store.js";

/** A kind of store for a describe.each. */
export interface StoreKind {
  name: string;
  /** A fresh store with no data of any other (its own clock or key prefix). */
  open(): Promise<Store>;
}

/** A clock the memory store reads; tests move it with `advance`. */
export const clock = {
  offset: 0,
  now: () => Date.now() + clock.offset,
  advance(ms: number) {
    clock.offset += ms;
  },
};

/**
 * The memory and redis kinds. Call at the top of a test file: it starts one redis-server for the
 * file (stopped after it); each store gets its own key prefix.
 */
export function useStoreKinds(): StoreKind[] {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return [
    { name: "memory", open: async () => createMemoryStore({ now: clock.now, watchCheckMs: 50 }) },
    {
      name: "redis",
      open: () => createRedisStore({ url: (server as RedisServer).url, prefix: `t-${crypto.randomUUID()}:`, watchCheckMs: 50 }),
    },
  ];
}
