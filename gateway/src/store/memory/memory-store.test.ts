import { describe, expect, it } from "vitest";
import { describeStoreConformance } from "../conformance.js";
import { createMemoryStore } from "./memory-store.js";

// The memory store on a clock the tests move by hand: TTL tests take no time.
let clock = 1_700_000_000_000;

describeStoreConformance("memory", {
  async create(options) {
    return createMemoryStore({ ...options, now: () => clock });
  },
  async sibling(store) {
    return store;
  },
  async elapse(ms) {
    clock += ms;
  },
  ttlMs: 10_000,
});

describe("memory store", () => {
  it("remembers at most maxSessions ended sessions, forgetting the oldest", async () => {
    const store = createMemoryStore({ now: () => clock, limits: { maxSessions: 2 } });
    for (const id of ["a", "b", "c"]) {
      await store.createSession({ id, orgId: "o", ttlMs: 60_000 });
      await store.deleteSession(id);
    }
    expect(await store.endedSession("a")).toBeUndefined();
    expect((await store.endedSession("b"))?.reason).toBe("cleaned");
    expect((await store.endedSession("c"))?.reason).toBe("cleaned");
    await store.close();
  });
});
