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
